/* train_mnist.c: train the book's [784, 30, 10] network on MNIST through nn2.h, print each
 * epoch's accuracy, score the test set and save the network. Usage: train_mnist [DIR] */
#include <stdio.h>

#include <nn2.h>

static int on_epoch(const nn2_epoch_stats *st, void *user)
{
    (void)user;
    printf("epoch %d: %ld / %zu\n", st->epoch + 1, st->eval_correct, st->eval_count);
    return 0; /* non-zero would stop training */
}

int main(int argc, char **argv)
{
    nn2_error err;
    nn2_mnist m;
    if (nn2_mnist_load(&m, argc > 1 ? argv[1] : "data/mnist", 50000, 10000, &err) != NN2_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    const int sizes[] = {m.training.dim, 30, m.training.n_classes};
    nn2_net *net = NULL;
    nn2_status st = nn2_net_create(&net, sizes, 3, NN2_COST_CROSS_ENTROPY, &err);
    if (st == NN2_OK) {
        nn2_net_init(net, NN2_INIT_DEFAULT, 1);
        nn2_config cfg;
        nn2_config_default(&cfg); /* network2's SGD: mini-batch 10, eta 0.5, lambda 5 */
        cfg.epochs = 3;
        cfg.on_epoch = on_epoch; /* the validation accuracy, monitored by default */
        st = nn2_train(net, &cfg, &m.training, &m.validation, &err);
        nn2_eval_result r;
        if (st == NN2_OK) st = nn2_evaluate(net, &m.test, cfg.lambda, 0, &r, &err);
        if (st == NN2_OK) printf("test: %ld / %zu\n", r.correct, r.count);
        if (st == NN2_OK) st = nn2_net_save(net, "net.json", &err);
    }
    if (st != NN2_OK) fprintf(stderr, "%s\n", err.msg);
    nn2_net_free(net);
    nn2_mnist_free(&m);
    return st == NN2_OK ? 0 : 1;
}
