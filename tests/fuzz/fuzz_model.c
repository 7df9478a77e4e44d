/* fuzz_model.c: the network2/nn2 JSON model loader; a loaded model is evaluated once. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "nn2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/nn2-fuzz-%d-model.json", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    nn2_net *net;
    nn2_error err;
    if (nn2_net_load(&net, path, &err) == NN2_OK) {
        const int *sizes = nn2_net_sizes(net);
        if ((size_t)sizes[0] <= 4096) {
            static uint8_t px[4096], lab[1];
            const nn2_dataset d = {px, lab, 1, sizes[0], 1, 1, sizes[0], 0};
            nn2_eval_result r;
            nn2_evaluate(net, &d, 1.0, 1, &r, &err);
        }
        nn2_net_free(net);
    }
    unlink(path);
    return 0;
}
