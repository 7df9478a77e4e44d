/* test_golden.c: nn2's SGD against the independent float64 NumPy reference
 * (scripts/reference_network2.py, fixture tests/data/golden_network2.json): network2's L2 SGD
 * for both costs, then L1, momentum, Nesterov, tanh/ReLU hidden layers, softmax outputs with
 * log-likelihood and quadratic costs. After the first
 * mini-batch step the weights agree within 1e-5; after 9 steps (3 epochs, smaller last batch
 * included) within 2e-6 (float32 against float64; measured 3e-7), and total cost within 1e-5 relative: the float32 bound. */
#include <cjson/cJSON.h>
#include <math.h>

#include "fileio.h"
#include "test_util.h"
#include "train.h"

static double max_diff(const nn2_net *net, const cJSON *jnet)
{
    double worst = 0;
    const cJSON *jw = cJSON_GetObjectItem(jnet, "weights"), *jb = cJSON_GetObjectItem(jnet, "biases");
    for (int l = 0; l < net->n_layers; l++)
        for (int j = 0; j < net->layer[l].n_out; j++) {
            const cJSON *row = cJSON_GetArrayItem(cJSON_GetArrayItem(jw, l), j);
            for (int k = 0; k < net->layer[l].n_in; k++) {
                const double d = fabs(nn2_net_weight(net, l, j, k) - cJSON_GetArrayItem(row, k)->valuedouble);
                if (d > worst) worst = d;
            }
            const double e = fabs(nn2_net_bias(net, l, j) -
                                  cJSON_GetArrayItem(cJSON_GetArrayItem(cJSON_GetArrayItem(jb, l), j), 0)->valuedouble);
            if (e > worst) worst = e;
        }
    return worst;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "tests/data/golden_network2.json";
    char *text;
    size_t len;
    nn2_error err;
    if (nn2_read_file(path, 1 << 26, &text, &len, &err) != NN2_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    cJSON *root = cJSON_Parse(text);
    free(text);
    CHECK(root != NULL, "fixture parses");
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "cases"))
    {
        const cJSON *jsizes = cJSON_GetObjectItem(c, "sizes");
        int sizes[8], ns = cJSON_GetArraySize(jsizes);
        for (int i = 0; i < ns; i++) sizes[i] = cJSON_GetArrayItem(jsizes, i)->valueint;
        const char *cname = cJSON_GetObjectItem(c, "cost")->valuestring;
        nn2_cost cost = NN2_COST_COUNT;
        for (int q = 0; q < NN2_COST_COUNT; q++)
            if (!strcmp(cname, nn2_cost_name((nn2_cost)q))) cost = (nn2_cost)q;
        nn2_arch arch;
        nn2_arch_sigmoid(&arch, sizes, ns, cost);
        const cJSON *jacts = cJSON_GetObjectItem(c, "activations");
        char desc[256];
        int dl = snprintf(desc, sizeof desc, "%s", cname);
        for (int l = 0; l + 1 < ns; l++) {
            const char *an = cJSON_GetArrayItem(jacts, l)->valuestring;
            for (int q = 0; q < NN2_ACT_COUNT; q++)
                if (!strcmp(an, nn2_act_name((nn2_act)q))) arch.act[l] = (nn2_act)q;
            dl += snprintf(desc + dl, sizeof desc - (size_t)dl, " %s", an);
        }
        nn2_config cfg;
        nn2_config_default(&cfg);
        cfg.reg = strcmp(cJSON_GetObjectItem(c, "reg")->valuestring, "l1") ? NN2_REG_L2 : NN2_REG_L1;
        cfg.momentum = cJSON_GetObjectItem(c, "momentum")->valuedouble;
        cfg.nesterov = cJSON_IsTrue(cJSON_GetObjectItem(c, "nesterov"));
        snprintf(desc + dl, sizeof desc - (size_t)dl, " %s mu=%g%s", cfg.reg == NN2_REG_L1 ? "L1" : "L2",
                 cfg.momentum, cfg.nesterov ? " nesterov" : "");
        const int n = cJSON_GetObjectItem(c, "n")->valueint, m = cJSON_GetObjectItem(c, "m")->valueint;
        const double eta = cJSON_GetObjectItem(c, "eta")->valuedouble;
        const double lambda = cJSON_GetObjectItem(c, "lambda")->valuedouble;
        cfg.eta = eta;
        cfg.lambda = lambda;
        uint8_t pixels[64 * 16], labels[64];
        const cJSON *jp = cJSON_GetObjectItem(c, "pixels"), *jl = cJSON_GetObjectItem(c, "labels");
        for (int s = 0; s < n; s++) {
            labels[s] = (uint8_t)cJSON_GetArrayItem(jl, s)->valueint;
            for (int i = 0; i < sizes[0]; i++)
                pixels[s * sizes[0] + i] = (uint8_t)cJSON_GetArrayItem(cJSON_GetArrayItem(jp, s), i)->valueint;
        }
        const nn2_dataset data = {pixels, labels, (size_t)n, sizes[0], sizes[ns - 1], 1, sizes[0], 0};
        nn2_net *net;
        CHECK(nn2_net_create_arch(&net, &arch, &err) == NN2_OK, "%s", err.msg);
        const cJSON *init = cJSON_GetObjectItem(c, "init");
        for (int l = 0; l + 1 < ns; l++)
            for (int j = 0; j < sizes[l + 1]; j++) {
                for (int k = 0; k < sizes[l]; k++)
                    nn2_net_set_weight(net, l, j, k, (float)cJSON_GetArrayItem(cJSON_GetArrayItem(
                        cJSON_GetArrayItem(cJSON_GetObjectItem(init, "weights"), l), j), k)->valuedouble);
                nn2_net_set_bias(net, l, j, (float)cJSON_GetArrayItem(cJSON_GetArrayItem(
                    cJSON_GetArrayItem(cJSON_GetObjectItem(init, "biases"), l), j), 0)->valuedouble);
            }
        CHECK(max_diff(net, init) == 0.0, "initial weights copied exactly");
        nn2_trainer tr;
        CHECK(nn2_trainer_init(&tr, net, &cfg, &data, m, 1, &err) == NN2_OK, "%s", err.msg);
        int step = 0;
        const cJSON *st;
        double worst = 0;
        cJSON_ArrayForEach(st, cJSON_GetObjectItem(c, "steps"))
        {
            uint32_t idx[64];
            const cJSON *jb = cJSON_GetObjectItem(st, "batch");
            const int mb = cJSON_GetArraySize(jb);
            for (int i = 0; i < mb; i++) idx[i] = (uint32_t)cJSON_GetArrayItem(jb, i)->valueint;
            nn2_train_batch(&tr, idx, 0, mb, (size_t)n, eta, step / 3, 1);
            const double d = max_diff(net, cJSON_GetObjectItem(st, "net"));
            if (d > worst) worst = d;
            if (step == 0) CHECK(d < 1e-5, "%s: first step differs by %g", desc, d);
            CHECK(d < 2e-6, "%s: step %d differs by %g", desc, step, d);
            nn2_eval_result r;
            CHECK(nn2_evaluate(net, &data, lambda, 1, &r, &err) == NN2_OK, "%s", err.msg);
            const double ref = cJSON_GetObjectItem(st, "total_cost")->valuedouble;
            CHECK(fabs(r.cost - ref) <= 1e-5 * fabs(ref), "step %d cost %.9g vs %.9g", step, r.cost, ref);
            CHECK(r.correct == cJSON_GetObjectItem(st, "accuracy")->valueint, "step %d accuracy", step);
            step++;
        }
        printf("%-50s %d steps, max |w - w_ref| = %.3g\n", desc, step, worst);
        CHECK(step == 9, "fixture has 9 steps");
        nn2_trainer_free(&tr);
        nn2_net_free(net);
    }
    cJSON_Delete(root);
    return test_end("golden");
}
