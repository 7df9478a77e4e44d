/* json.c: network2.py's model file, through cJSON:
 *   {"sizes": [784, 30, 10], "weights": [ (n_out x n_in nested lists) per layer ],
 *    "biases": [ (n_out x 1 nested lists) per layer ], "cost": "CrossEntropyCost"}
 * plus, only for networks network2.py cannot express: "format": "nn2", "version": 1,
 * "activations": [hidden layers' names], "output": "sigmoid" | "softmax", "dropout": [rates].
 * Weights are transposed between that (n_out, n_in) layout and the arena's WT (n_in, n_out).
 * Loading validates the whole structure before allocating the network. */
#include <cjson/cJSON.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "fileio.h"
#include "net.h"

#define MODEL_MAX_BYTES ((size_t)4 << 30)
#define NN2_MODEL_VERSION 1

static cJSON *number_array_2d(const float *src, int rows, int cols, int transposed, int ld)
{
    /* transposed: src is (cols, ld) and element [r][c] = src[c*ld + r]; else src (rows, cols) */
    cJSON *outer = cJSON_CreateArray();
    for (int r = 0; outer && r < rows; r++) {
        cJSON *row = cJSON_CreateArray();
        if (!row) goto fail;
        cJSON_AddItemToArray(outer, row);
        for (int c = 0; c < cols; c++) {
            const float v = transposed ? src[(size_t)c * ld + r] : src[(size_t)r * cols + c];
            cJSON *num = cJSON_CreateNumber((double)v);
            if (!num) goto fail;
            cJSON_AddItemToArray(row, num);
        }
    }
    return outer;
fail:
    cJSON_Delete(outer);
    return NULL;
}

nn2_status nn2_net_save(const nn2_net *net, const char *path, nn2_error *err)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *sizes = cJSON_AddArrayToObject(root, "sizes");
    cJSON *weights = cJSON_AddArrayToObject(root, "weights");
    cJSON *biases = cJSON_AddArrayToObject(root, "biases");
    int ok = root && sizes && weights && biases;
    for (int i = 0; ok && i <= net->n_layers; i++) {
        cJSON *s = cJSON_CreateNumber(net->sizes[i]);
        ok = s != NULL;
        if (ok) cJSON_AddItemToArray(sizes, s);
    }
    for (int l = 0; ok && l < net->n_layers; l++) {
        const int n_in = net->layer[l].n_in, n_out = net->layer[l].n_out;
        cJSON *w = number_array_2d(nn2_layer_WT(net, l), n_out, n_in, 1, net->layer[l].ldw);
        cJSON *b = number_array_2d(nn2_layer_b(net, l), n_out, 1, 0, 1);
        ok = w && b;
        if (w) cJSON_AddItemToArray(weights, w);
        if (b) cJSON_AddItemToArray(biases, b);
    }
    ok = ok && cJSON_AddStringToObject(root, "cost", nn2_cost_name(net->cost));
    if (ok && !nn2_arch_is_network2(&net->arch)) {
        const int L = net->n_layers;
        ok = cJSON_AddStringToObject(root, "format", "nn2") &&
             cJSON_AddNumberToObject(root, "version", NN2_MODEL_VERSION) &&
             cJSON_AddStringToObject(root, "output", nn2_act_name(net->arch.act[L - 1]));
        cJSON *acts = ok ? cJSON_AddArrayToObject(root, "activations") : NULL;
        cJSON *drop = ok ? cJSON_AddArrayToObject(root, "dropout") : NULL;
        ok = acts && drop;
        for (int l = 0; ok && l < L - 1; l++) {
            cJSON *a = cJSON_CreateString(nn2_act_name(net->arch.act[l]));
            cJSON *d = cJSON_CreateNumber(net->arch.dropout[l]);
            ok = a && d;
            if (a) cJSON_AddItemToArray(acts, a);
            if (d) cJSON_AddItemToArray(drop, d);
        }
    }
    char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!text) return nn2_fail(err, NN2_ERR_NOMEM, "%s: out of memory while encoding", path);
    const nn2_status st = nn2_write_atomic(path, text, strlen(text), err);
    cJSON_free(text);
    return st;
}

/* A JSON number that fits a float and is finite. */
static int get_float(const cJSON *item, float *out)
{
    if (!cJSON_IsNumber(item)) return 0;
    const double v = item->valuedouble;
    if (!isfinite(v) || fabs(v) > FLT_MAX) return 0;
    *out = (float)v;
    return 1;
}

/* Check that arr is an array of `rows` arrays of `cols` finite numbers (for cols == 1 a bare
 * number per row is accepted too); copy into dst when not NULL (transposed: dst (cols, rows)). */
static nn2_status walk_2d(const cJSON *arr, int rows, int cols, float *dst, int transposed, int ld,
                          const char *path, const char *what, int layer, nn2_error *err)
{
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != rows)
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: %s[%d] must be a list of %d rows", path, what,
                        layer, rows);
    int r = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, arr)
    {
        float v;
        if (cols == 1 && cJSON_IsNumber(row)) {
            if (!get_float(row, &v))
                return nn2_fail(err, NN2_ERR_FORMAT, "%s: %s[%d][%d] is not a finite float",
                                path, what, layer, r);
            if (dst) dst[r] = v;
            r++;
            continue;
        }
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != cols)
            return nn2_fail(err, NN2_ERR_FORMAT, "%s: %s[%d][%d] must be a list of %d numbers",
                            path, what, layer, r, cols);
        int c = 0;
        const cJSON *num;
        cJSON_ArrayForEach(num, row)
        {
            if (!get_float(num, &v))
                return nn2_fail(err, NN2_ERR_FORMAT,
                                "%s: %s[%d][%d][%d] is not a finite float", path, what, layer, r,
                                c);
            if (dst) {
                if (transposed)
                    dst[(size_t)c * ld + r] = v;
                else
                    dst[(size_t)r * cols + c] = v;
            }
            c++;
        }
        r++;
    }
    return NN2_OK;
}

static int act_from_name(const char *name)
{
    for (int a = 0; a < NN2_ACT_COUNT; a++)
        if (strcmp(name, nn2_act_name((nn2_act)a)) == 0) return a;
    return -1;
}

/* nn2's keys beyond network2's: refuse anything not understood. */
static nn2_status parse_extensions(const cJSON *root, const char *path, nn2_arch *arch,
                                   nn2_error *err)
{
    static const char *const known[] = {"sizes", "weights", "biases", "cost", "format",
                                        "version", "activations", "output", "dropout"};
    const cJSON *item;
    int extended = 0;
    cJSON_ArrayForEach(item, root)
    {
        int k = -1;
        for (int i = 0; i < 9; i++)
            if (item->string && strcmp(item->string, known[i]) == 0) k = i;
        if (k < 0)
            return nn2_fail(err, NN2_ERR_FORMAT, "%s: unknown key \"%s\"", path,
                            item->string ? item->string : "");
        extended |= k >= 4;
    }
    if (!extended) return NN2_OK;
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "nn2") != 0 || !cJSON_IsNumber(ver))
        return nn2_fail(err, NN2_ERR_FORMAT,
                        "%s: nn2 keys need \"format\": \"nn2\" and a \"version\"", path);
    if (ver->valuedouble != NN2_MODEL_VERSION)
        return nn2_fail(err, NN2_ERR_FORMAT,
                        "%s: model format version %g is not understood (this nn2 reads %d)", path,
                        ver->valuedouble, NN2_MODEL_VERSION);
    const int L = arch->n_sizes - 1;
    const cJSON *acts = cJSON_GetObjectItemCaseSensitive(root, "activations");
    if (acts) {
        if (!cJSON_IsArray(acts) || cJSON_GetArraySize(acts) != L - 1)
            return nn2_fail(err, NN2_ERR_FORMAT, "%s: \"activations\" must list %d hidden layers",
                            path, L - 1);
        int l = 0;
        cJSON_ArrayForEach(item, acts)
        {
            const int a = cJSON_IsString(item) ? act_from_name(item->valuestring) : -1;
            if (a < 0 || a == NN2_ACT_SOFTMAX)
                return nn2_fail(err, NN2_ERR_FORMAT,
                                "%s: activations[%d] is not sigmoid, tanh or relu", path, l);
            arch->act[l++] = (nn2_act)a;
        }
    }
    const cJSON *out = cJSON_GetObjectItemCaseSensitive(root, "output");
    if (out) {
        const int a = cJSON_IsString(out) ? act_from_name(out->valuestring) : -1;
        if (a != NN2_ACT_SIGMOID && a != NN2_ACT_SOFTMAX)
            return nn2_fail(err, NN2_ERR_FORMAT, "%s: \"output\" is not sigmoid or softmax", path);
        arch->act[L - 1] = (nn2_act)a;
    }
    const cJSON *drop = cJSON_GetObjectItemCaseSensitive(root, "dropout");
    if (drop) {
        if (!cJSON_IsArray(drop) || cJSON_GetArraySize(drop) != L - 1)
            return nn2_fail(err, NN2_ERR_FORMAT, "%s: \"dropout\" must list %d hidden layers",
                            path, L - 1);
        int l = 0;
        cJSON_ArrayForEach(item, drop)
        {
            if (!cJSON_IsNumber(item) || !(item->valuedouble >= 0 && item->valuedouble < 1))
                return nn2_fail(err, NN2_ERR_FORMAT, "%s: dropout[%d] is not in [0, 1)", path, l);
            arch->dropout[l++] = item->valuedouble;
        }
    }
    return NN2_OK;
}

static nn2_status parse_model(const cJSON *root, const char *path, nn2_net **out, nn2_error *err)
{
    if (!cJSON_IsObject(root))
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: not a JSON object", path);
    const cJSON *jsizes = cJSON_GetObjectItemCaseSensitive(root, "sizes");
    const cJSON *jw = cJSON_GetObjectItemCaseSensitive(root, "weights");
    const cJSON *jb = cJSON_GetObjectItemCaseSensitive(root, "biases");
    const cJSON *jcost = cJSON_GetObjectItemCaseSensitive(root, "cost");
    if (!cJSON_IsArray(jsizes) || !cJSON_IsArray(jw) || !cJSON_IsArray(jb))
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: missing \"sizes\", \"weights\" or \"biases\" list",
                        path);
    const int n_sizes = cJSON_GetArraySize(jsizes);
    if (n_sizes < 2 || n_sizes > NN2_MAX_LAYERS + 1)
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: \"sizes\" has %d entries (allowed 2..%d)", path,
                        n_sizes, NN2_MAX_LAYERS + 1);
    int sizes[NN2_MAX_LAYERS + 1];
    int i = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, jsizes)
    {
        const double v = cJSON_IsNumber(s) ? s->valuedouble : -1;
        if (!(v >= 1 && v <= NN2_MAX_WIDTH && v == floor(v)))
            return nn2_fail(err, NN2_ERR_FORMAT, "%s: sizes[%d] is not an integer in 1..%d", path,
                            i, NN2_MAX_WIDTH);
        sizes[i++] = (int)v;
    }
    nn2_arch arch;
    nn2_arch_sigmoid(&arch, sizes, n_sizes, NN2_COST_COUNT);
    for (int c = 0; c < NN2_COST_COUNT; c++)
        if (cJSON_IsString(jcost) && strcmp(jcost->valuestring, nn2_cost_name((nn2_cost)c)) == 0)
            arch.cost = (nn2_cost)c;
    if (arch.cost == NN2_COST_COUNT)
        return nn2_fail(err, NN2_ERR_FORMAT,
                        "%s: unknown \"cost\" %s%s%s (expected CrossEntropyCost, QuadraticCost or "
                        "LogLikelihoodCost)",
                        path, cJSON_IsString(jcost) ? "\"" : "",
                        cJSON_IsString(jcost) ? jcost->valuestring : "(missing)",
                        cJSON_IsString(jcost) ? "\"" : "");
    nn2_status st = parse_extensions(root, path, &arch, err);
    if (st != NN2_OK) return st;
    const int L = n_sizes - 1;
    if (cJSON_GetArraySize(jw) != L || cJSON_GetArraySize(jb) != L)
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: \"weights\" and \"biases\" need %d layers each",
                        path, L);
    /* Validate every shape and number before allocating anything. */
    for (int l = 0; l < L && st == NN2_OK; l++) {
        st = walk_2d(cJSON_GetArrayItem(jw, l), sizes[l + 1], sizes[l], NULL, 1, 0, path,
                     "weights", l, err);
        if (st == NN2_OK)
            st = walk_2d(cJSON_GetArrayItem(jb, l), sizes[l + 1], 1, NULL, 0, 0, path, "biases", l,
                         err);
    }
    if (st != NN2_OK) return st;
    nn2_net *net;
    nn2_error aerr;
    if ((st = nn2_net_create_arch(&net, &arch, &aerr)) != NN2_OK)
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: %s", path, aerr.msg);
    for (int l = 0; l < L; l++) {
        walk_2d(cJSON_GetArrayItem(jw, l), sizes[l + 1], sizes[l], nn2_layer_WT(net, l), 1,
                net->layer[l].ldw, path, "weights", l, err);
        walk_2d(cJSON_GetArrayItem(jb, l), sizes[l + 1], 1, nn2_layer_b(net, l), 0, 1, path,
                "biases", l, err);
    }
    *out = net;
    return NN2_OK;
}

nn2_status nn2_net_load(nn2_net **out, const char *path, nn2_error *err)
{
    *out = NULL;
    char *text;
    size_t len;
    nn2_status st = nn2_read_file(path, MODEL_MAX_BYTES, &text, &len, err);
    if (st != NN2_OK) return st;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        const size_t at = end ? (size_t)(end - text) : 0;
        free(text);
        return nn2_fail(err, NN2_ERR_FORMAT, "%s: malformed JSON near byte %zu", path, at);
    }
    free(text);
    st = parse_model(root, path, out, err);
    cJSON_Delete(root);
    return st;
}
