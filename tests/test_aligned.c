/* test_aligned.c - a safetensors file whose data starts at an odd offset (as Hugging Face's
 * gpt2 model.safetensors does) is mapped through an aligned copy in the cache folder, not
 * copied into memory; and gives the same numbers as the aligned original.
 * The odd file is the shared gpt2-test-d64 checkpoint with one space added to its header.
 * The copy stores the four Conv1D matrices per layer transposed, (in,out) -> (out,in), with a
 * "shapewalk_layout": "conv1d_transposed" __metadata__ entry, and the loader binds them with
 * out_major = 1 (sgemv NoTrans, faster for generation). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <math.h>
#include <unistd.h>

#include "check.h"
#include "engine/trace.h"
#include "engine/safetensors.h"

static int write_odd_copy(const char *src, const char *dst) {
    char err[SW_ERR_LEN];
    SwMap m;
    if (sw_map_file(&m, src, err) != 0) return -1;
    unsigned long long n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | m.data[i];
    FILE *f = fopen(dst, "wb");
    if (!f) { sw_unmap(&m); return -1; }
    unsigned long long n1 = n + 1;
    unsigned char len[8];
    for (int i = 0; i < 8; i++) len[i] = (unsigned char)(n1 >> (8 * i));
    int ok = fwrite(len, 1, 8, f) == 8 && fwrite(m.data + 8, 1, n, f) == n && fputc(' ', f) == ' ' &&
             fwrite(m.data + 8 + n, 1, m.len - 8 - n, f) == m.len - 8 - n;
    ok &= fclose(f) == 0;
    sw_unmap(&m);
    return ok ? 0 : -1;
}

/* the largest |logit difference|, relative to each row's largest |logit| (rel_to) */
static double max_diff(Trace *a, Trace *b) {
    double worst = 0;
    for (int p = 0; p < a->len[0]; p++) {
        const float *x = Trace_logits_row(a, 0, p), *y = Trace_logits_row(b, 0, p);
        double d = 0, size = 0;
        for (int v = 0; v < a->m->c.vocab_size; v++) {
            if (fabs(x[v] - y[v]) > d) d = fabs(x[v] - y[v]);
            if (fabs(x[v]) > size) size = fabs(x[v]);
        }
        if (rel_to(d, size) > worst) worst = rel_to(d, size);
    }
    return worst;
}

int main(void) {
    char tmpl[] = "/tmp/sw_aligned_XXXXXX", err[SW_ERR_LEN], path[1024], src[1024];
    char *dir = mkdtemp(tmpl);
    if (!dir) { fail("aligned: temp dir", "mkdtemp failed"); return check_done(); }
    snprintf(path, sizeof path, "%s/odd", dir);
    mkdir(path, 0755);
    const char *files[] = {"config.json", "vocab.json", "merges.txt"};
    for (int i = 0; i < 3; i++) {
        char a[1024], b[1100];
        snprintf(a, sizeof a, "%s/models/gpt2-test-d64/%s", shared_dir(), files[i]);
        snprintf(b, sizeof b, "%s/%s", path, files[i]);
        if (symlink(a, b) != 0) { fail("aligned: symlink", "%s", b); return check_done(); }
    }
    snprintf(src, sizeof src, "%s/models/gpt2-test-d64/model.safetensors", shared_dir());
    char odd[1100];
    snprintf(odd, sizeof odd, "%s/model.safetensors", path);
    if (write_odd_copy(src, odd) != 0) { fail("aligned: write the odd copy", "%s", odd); return check_done(); }

    char cache[1100];
    snprintf(cache, sizeof cache, "%s/cache", dir);
    setenv("SHAPEWALK_CACHE", cache, 1);
    snprintf(src, sizeof src, "%s/models/gpt2-test-d64", shared_dir());
    Model *ref = Model_open(src, NULL, err);
    Model *m = Model_open(path, NULL, err);
    const char *prompt[1] = {"Hello world! This is fun"};
    Trace *tr = ref ? Trace_run(ref, prompt, 1, NULL, err) : NULL;
    Trace *tm = m ? Trace_run(m, prompt, 1, NULL, err) : NULL;
    int mapped = m && !m->owned && (const uint8_t *)m->tok_emb.w >= m->map.data &&
                 (const uint8_t *)m->tok_emb.w < m->map.data + m->map.len;
    expect(mapped, "odd data offset: weights are mapped from an aligned copy, not copied", "%s",
           m ? "weights were copied to memory" : err);
    /* Not bit-identical by design: the copy's Conv1D weights are (out,in), so the forward pass
     * calls sgemm with TransB and sgemv NoTrans instead of NoTrans/Trans, and OpenBLAS sums the
     * D (or F) products in another order: float rounding, up to ~2e-5 on these logits (|logit|
     * < 20, a short prompt goes through sgemv; the order differs per OpenBLAS kernel), about 1e-6
     * of their size: within the golden tests' 1e-4 relative. */
    double dl = tr && tm ? max_diff(tr, tm) : -1;
    expect(tr && tm && dl <= 1e-4, "odd data offset: same logits as the aligned original (within 1e-4 of their size)",
           "%s", tr && tm ? "max |diff| above 1e-4 of the logits' size" : err);
    if (dl >= 0) printf("  (max |logit diff| against the original, relative to the row's largest: %g)\n", dl);
    expect(m && ref && m->layers[0].attn_qkv.out_major == 1 && m->layers[0].ffn_down.out_major == 1 &&
               m->layers[m->c.n_layers - 1].ffn_up.out_major == 1 && m->layers[0].attn_qkv.in == 64 &&
               m->layers[0].attn_qkv.out == 192 && ref->layers[0].attn_qkv.out_major == 0,
           "aligned copy: Conv1D weights bound out_major=1 (the original's stay out_major=0)", "%s",
           m ? "wrong out_major / shape" : err);
    Trace_free(tm);
    Model_free(m);

    /* a second open reuses the copy (it is not written again) */
    struct stat s1, s2;
    char copy[1400] = "";
    DIR *d = opendir(cache);
    for (struct dirent *e; d && (e = readdir(d));)
        if (strncmp(e->d_name, "aligned-", 8) == 0 && strstr(e->d_name, ".safetensors"))
            snprintf(copy, sizeof copy, "%s/%s", cache, e->d_name);
    if (d) closedir(d);
    int reused = 0;
    if (copy[0] && stat(copy, &s1) == 0) {
        Model *again = Model_open(path, NULL, err);
        reused = again && !again->owned && stat(copy, &s2) == 0 && s1.st_ino == s2.st_ino &&
                 s1.st_mtim.tv_sec == s2.st_mtim.tv_sec && s1.st_mtim.tv_nsec == s2.st_mtim.tv_nsec;
        Model_free(again);
    }
    expect(reused, "odd data offset: a second open reuses the aligned copy", "copy %s", copy[0] ? copy : "missing");

    /* the copy itself: a valid safetensors file, Conv1D shapes swapped and data transposed,
     * other tensors as they were, the layout said in __metadata__ */
    SafeTensors a, o;
    int tok = 0, meta = 0;
    char e2[SW_ERR_LEN] = "";
    if (copy[0] && SafeTensors_open(&a, copy, e2) == 0) {
        if (SafeTensors_open(&o, odd, e2) == 0) {
            const StTensor *ta = SafeTensors_find(&a, "h.0.attn.c_attn.weight");
            const StTensor *to = SafeTensors_find(&o, "h.0.attn.c_attn.weight");
            const StTensor *pa = SafeTensors_find(&a, "h.1.mlp.c_proj.weight");
            const StTensor *po = SafeTensors_find(&o, "h.1.mlp.c_proj.weight");
            const StTensor *wa = SafeTensors_find(&a, "wte.weight");
            const StTensor *wo = SafeTensors_find(&o, "wte.weight");
            tok = ta && to && pa && po && wa && wo && ta->ndim == 2 && ta->shape[0] == 192 && ta->shape[1] == 64 &&
                  to->shape[0] == 64 && to->shape[1] == 192 && pa->shape[0] == 64 && pa->shape[1] == 256;
            float x, y;
            /* W (in,out) = (64,192) in the original; element [i=5][j=130] is at [130][5] in the copy */
            if (tok) {
                memcpy(&x, to->data + 4 * (5 * 192 + 130), 4);
                memcpy(&y, ta->data + 4 * (130 * 64 + 5), 4);
                tok = x == y && x != 0;
                /* mlp c_proj (256,64): [200][63] -> [63][200] */
                memcpy(&x, po->data + 4 * (200 * 64 + 63), 4);
                memcpy(&y, pa->data + 4 * (63 * 256 + 200), 4);
                tok = tok && x == y && x != 0;
                tok = tok && wa->nbytes == wo->nbytes && memcmp(wa->data, wo->data, wa->nbytes) == 0;
            }
            uint64_t n = 0;
            for (int i = 7; i >= 0; i--) n = (n << 8) | a.map.data[i];
            char *h = strndup((const char *)a.map.data + 8, (size_t)n);
            meta = h && strstr(h, "\"__metadata__\"") && strstr(h, "\"shapewalk_layout\":\"conv1d_transposed\"");
            free(h);
            SafeTensors_close(&o);
        }
        SafeTensors_close(&a);
    }
    expect(tok, "aligned copy: Conv1D tensors stored transposed with swapped shapes, others unchanged", "%s",
           e2[0] ? e2 : "values or shapes differ");
    expect(meta, "aligned copy: __metadata__ says shapewalk_layout = conv1d_transposed", "%s", copy);

    /* the source changes (a new mtime): a new copy is made, and the old copy of the same source
     * and an unfinished copy of a process that is gone are removed from the cache folder */
    {
        char stale[1500];
        snprintf(stale, sizeof stale, "%s/aligned-0000000000000000.safetensors.tmp.%d", cache, 0x3ffffff);
        FILE *f = fopen(stale, "w");
        if (f) fclose(f);
        struct timespec ts[2] = {{1700000000, 0}, {1700000000, 0}};
        utimensat(AT_FDCWD, odd, ts, 0);
        Model *changed = Model_open(path, NULL, err);
        int copies = 0, notes = 0, tmps = 0, old_there = copy[0] && access(copy, F_OK) == 0;
        d = opendir(cache);
        for (struct dirent *e; d && (e = readdir(d));) {
            copies += strstr(e->d_name, ".safetensors") && !strstr(e->d_name, ".tmp.");
            notes += strstr(e->d_name, ".source") != NULL;
            tmps += strstr(e->d_name, ".tmp.") != NULL;
        }
        if (d) closedir(d);
        expect(changed && !changed->owned && copies == 1 && notes == 1 && tmps == 0 && !old_there,
               "aligned copy: a changed source gets a new copy; the old one and a dead process's .tmp are removed",
               "%s: copies %d notes %d tmp %d old still there %d", changed ? "opened" : err, copies, notes, tmps, old_there);
        Model_free(changed);
    }

    /* no cache folder can be made: the model still opens (tensors copied) with the same numbers */
    setenv("SHAPEWALK_CACHE", "/proc/shapewalk-cannot-write-here", 1);
    m = Model_open(path, NULL, err);
    tm = m ? Trace_run(m, prompt, 1, NULL, err) : NULL;
    expect(m && m->owned && tr && tm && max_diff(tr, tm) == 0,
           "odd data offset without a writable cache: copied to memory, same logits", "%s", m ? "differs" : err);
    Trace_free(tm);
    Model_free(m);
    Trace_free(tr);
    Model_free(ref);
    char rm[1200];
    snprintf(rm, sizeof rm, "rm -rf %s", dir);
    if (system(rm) != 0) skip("aligned: cleanup", "%s", dir);
    return check_done();
}
