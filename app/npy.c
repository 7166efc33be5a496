/* npy.c - station tensors as NumPy .npy files and uncompressed .npz archives (see npy.h). */
#include "app/npy.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- which tensor a name means ---- */

typedef struct {
    StationRef s;
    int which;     /* Trace_tensor's which: the index of the station's tensor */
} Pick;

/* "3.2.f" -> the station, tensor 0; "3.1.b.k" -> the station and the tensor whose symbol is k */
static int parse_spec(const Config *c, const char *spec, Pick *p) {
    p->which = 0;
    if (Station_find(c, spec, &p->s) == 0) return 0;
    const char *dot = strrchr(spec, '.');
    char head[32];
    if (!dot || dot == spec || (size_t)(dot - spec) >= sizeof head) return -1;
    memcpy(head, spec, (size_t)(dot - spec));
    head[dot - spec] = 0;
    if (Station_find(c, head, &p->s) != 0) return -1;
    const StationTensor *tens;
    int n = Station_tensors(p->s.kind, c, &tens);
    for (int i = 0; i < n && tens[i].symbol; i++)
        if (strcmp(tens[i].symbol, dot + 1) == 0) { p->which = i; return 0; }
    return -1;
}

/* The name of a station's tensor: its number, and ".symbol" when it has more than one. */
static void pick_name(const Config *c, Pick p, char *buf, size_t cap) {
    char label[96];
    Station_label(p.s, label, sizeof label);
    char *sp = strchr(label, ' ');
    if (sp) *sp = 0;
    const StationTensor *tens;
    int n = Station_tensors(p.s.kind, c, &tens);
    label[16] = 0;   /* "3.12.k" and the like: short, and the cap keeps the compiler sure of it */
    if (n > 1) snprintf(buf, cap, "%.15s.%.8s", label, tens[p.which].symbol);
    else snprintf(buf, cap, "%.15s", label);
}

/* The station list for "all": every outer station but 7 (a choice, not numbers), every block's
 * inner steps after the block, and every tensor of each. Returns the count (cap or more). */
static int all_picks(const Config *c, Pick *out, int cap) {
    StationRef outer[512], inner[16];
    int n = 0, no = Stations_outer(c, outer, 512);
    for (int i = 0; i < no && i < 512; i++) {
        if (outer[i].kind == ST_NEXT) continue;
        StationRef list[17];
        int nl = 0;
        list[nl++] = outer[i];
        if (outer[i].kind == ST_BLOCK) {
            int ni = Stations_inner(c, outer[i].layer, inner, 16);
            for (int j = 0; j < ni && nl < 17; j++) list[nl++] = inner[j];
        }
        for (int j = 0; j < nl; j++) {
            const StationTensor *tens;
            int nt = Station_tensors(list[j].kind, c, &tens);
            for (int w = 0; w < nt; w++) {
                if (n < cap) { out[n].s = list[j]; out[n].which = w; }
                n++;
            }
        }
    }
    return n;
}

int Npy_check(const Model *m, const char *spec, int npz, char *err) {
    const Config *c = &m->c;
    if (strcmp(spec, "all") == 0) {
        if (!npz) { sw_seterr(err, "--save all writes every station: give it --npz FILE (--npy holds one array)"); return -1; }
        return 0;
    }
    Pick p;
    if (parse_spec(c, spec, &p) != 0) {
        sw_seterr(err, "--save %s: %s has no such station; give 0..6, a block 3.1..3.%d, a step in one (3.1.a..3.1.k%s), a tensor of one (3.1.b.k), or all",
                  spec, m->name, c->n_layers, c->pos == POS_ROPE ? "" : ", no 3.l.c: GPT-2 has no rotary step");
        return -1;
    }
    if (p.s.kind == ST_NEXT) {
        sw_seterr(err, "--save 7: the next token is a choice, not numbers; --json gives it (next, generated), --save 6 the probabilities it is chosen from");
        return -1;
    }
    return 0;
}

/* ---- the numbers, gathered in C order ---- */

/* One tensor as a contiguous array (float32 or int32 ids), padding zeroed; a->dims set. NULL with err. */
static void *gather(Trace *t, Pick p, SavedArray *a, char *err) {
    const Config *c = &t->m->c;
    const int B = t->B, T = t->T;
    pick_name(c, p, a->name, sizeof a->name);
    a->is_int = 0;
    if (p.s.kind == ST_TOKENIZE) {
        a->is_int = 1;
        a->ndim = 2; a->dims[0] = B; a->dims[1] = T;
        int32_t *ids = sw_calloc((size_t)B * T, sizeof *ids, "the token ids", err);
        if (!ids) return NULL;
        for (int b = 0; b < B; b++)
            for (int q = 0; q < T; q++) ids[(size_t)b * T + q] = q < t->len[b] ? Trace_id(t, b, q) : -1;
        return ids;
    }
    if (p.s.kind == ST_LM_HEAD || p.s.kind == ST_SOFTMAX) {
        /* row by row: the logits may be past the memory budget (then computed per row) */
        const int V = c->vocab_size;
        a->ndim = 3; a->dims[0] = B; a->dims[1] = T; a->dims[2] = V;
        float *x = sw_calloc((size_t)B * T * V, sizeof *x, "the logits", err);
        if (!x) return NULL;
        for (int b = 0; b < B; b++)
            for (int q = 0; q < t->len[b]; q++) {
                float *row = x + ((size_t)b * T + q) * V;
                if (p.s.kind == ST_SOFTMAX) Trace_probs_row(t, b, q, 1, row);
                else memcpy(row, Trace_logits_row(t, b, q), sizeof(float) * (size_t)V);
            }
        return x;
    }
    TensorView v;
    if (Trace_tensor(t, p.s, p.which, &v, err) != 0) return NULL;
    int d[4] = {1, 1, 1, 1};
    long st[4] = {0, 0, 0, 0};
    int is_t[4] = {0, 0, 0, 0};
    a->ndim = v.ndim;
    size_t n = 1;
    for (int i = 0; i < v.ndim; i++) {
        d[i] = a->dims[i] = v.dims[i];
        st[i] = v.stride[i];
        is_t[i] = strcmp(v.axes[i], "T") == 0;
        n *= (size_t)v.dims[i];
    }
    float *x = sw_calloc(n, sizeof *x, "the tensor", err);
    if (!x) return NULL;
    const int masked = p.s.kind == ST_MASK;   /* (B,h,T,T): key j after query i is -inf */
    size_t o = 0;
    for (int i0 = 0; i0 < d[0]; i0++)
        for (int i1 = 0; i1 < d[1]; i1++)
            for (int i2 = 0; i2 < d[2]; i2++)
                for (int i3 = 0; i3 < d[3]; i3++, o++) {
                    const int idx[4] = {i0, i1, i2, i3};
                    int pad = 0;
                    for (int k = 1; k < v.ndim; k++) pad |= is_t[k] && idx[k] >= t->len[i0];
                    if (pad) continue;   /* stays 0 */
                    if (masked && i3 > i2) { x[o] = -INFINITY; continue; }
                    x[o] = v.data[i0 * st[0] + i1 * st[1] + i2 * st[2] + i3 * st[3]];
                }
    return x;
}

/* ---- .npy bytes ---- */

/* The .npy file for an array: header and data in one malloc'd buffer; *len its size. */
static unsigned char *npy_bytes(const SavedArray *a, const void *data, size_t *len, char *err) {
    char shape[96] = "";
    size_t n = 1, at = 0;
    for (int i = 0; i < a->ndim; i++) {
        at += (size_t)snprintf(shape + at, sizeof shape - at, "%s%d", i ? ", " : "", a->dims[i]);
        n *= (size_t)a->dims[i];
    }
    if (a->ndim == 1) snprintf(shape + at, sizeof shape - at, ",");   /* (5,) is a tuple, (5) is not */
    char dict[192];
    int dl = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", a->is_int ? "<i4" : "<f4", shape);
    /* magic (6) + version (2) + header length (2) + dict + spaces + '\n': a multiple of 64 */
    size_t head = 10 + (size_t)dl + 1;
    head = (head + 63) / 64 * 64;
    size_t bytes = n * 4;
    unsigned char *buf = sw_calloc(head + bytes, 1, "the .npy file", err);
    if (!buf) return NULL;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)((head - 10) & 0xFF);
    buf[9] = (unsigned char)((head - 10) >> 8);
    memcpy(buf + 10, dict, (size_t)dl);
    memset(buf + 10 + dl, ' ', head - 10 - (size_t)dl - 1);
    buf[head - 1] = '\n';
    /* little-endian 4-byte values, whatever this machine's order */
    const unsigned char *src = data;
    const uint16_t one = 1;
    const int little = *(const unsigned char *)&one == 1;
    if (little) memcpy(buf + head, src, bytes);
    else
        for (size_t i = 0; i < bytes; i += 4)
            for (int k = 0; k < 4; k++) buf[head + i + k] = src[i + 3 - k];
    *len = head + bytes;
    return buf;
}

/* ---- CRC-32 and the ZIP container ---- */

unsigned long Npy_crc32(unsigned long crc, const void *data, size_t n) {
    static uint32_t table[256];
    static int ready;
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t r = i;
            for (int k = 0; k < 8; k++) r = r & 1 ? 0xEDB88320u ^ (r >> 1) : r >> 1;
            table[i] = r;
        }
        ready = 1;
    }
    uint32_t r = (uint32_t)crc ^ 0xFFFFFFFFu;
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) r = table[(r ^ p[i]) & 0xFF] ^ (r >> 8);
    return r ^ 0xFFFFFFFFu;
}

static void le16(unsigned char *p, unsigned v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void le32(unsigned char *p, unsigned long v) { le16(p, (unsigned)(v & 0xFFFF)); le16(p + 2, (unsigned)((v >> 16) & 0xFFFF)); }

/* ---- the file: a new name beside the destination, renamed over it ---- */

typedef struct {
    int fd;
    char tmp[4200], dest[4096];
    int failed;
    int errnum;
} Out;

static int out_open(Out *o, const char *path, char *err) {
    memset(o, 0, sizeof *o);
    o->fd = -1;
    if (strlen(path) >= sizeof o->dest - 32) { sw_seterr(err, "%.200s...: the file name is too long", path); return -1; }
    snprintf(o->dest, sizeof o->dest, "%s", path);
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        if (S_ISLNK(sb.st_mode)) {
            sw_seterr(err, "%s is a symbolic link; shapewalk does not write through links: remove it or give another name", path);
            return -1;
        }
        if (!S_ISREG(sb.st_mode)) { sw_seterr(err, "%s exists and is not a regular file; give another name", path); return -1; }
    }
    const char *slash = strrchr(path, '/');
    int dl = slash ? (int)(slash - path) + 1 : 0;
    static unsigned ctr;
    for (int tries = 0; tries < 100; tries++) {
        snprintf(o->tmp, sizeof o->tmp, "%.*s.%s.tmp.%ld.%u", dl, path, slash ? slash + 1 : path, (long)getpid(), ++ctr);
        o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (o->fd >= 0 || errno != EEXIST) break;
    }
    if (o->fd < 0) {
        sw_seterr(err, "%s: cannot create it: %s%s", path, strerror(errno), errno == ENOENT ? " (does the folder exist?)" : "");
        return -1;
    }
    return 0;
}

static void out_write(Out *o, const void *p, size_t n) {
    const char *c = p;
    while (!o->failed && n > 0) {
        ssize_t w = write(o->fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) { o->failed = 1; o->errnum = w < 0 ? errno : EIO; break; }
        c += w;
        n -= (size_t)w;
    }
}

/* Close and rename into place (keep = 1), or remove the new file. 0, or -1 with err. */
static int out_close(Out *o, int keep, char *err) {
    if (o->fd < 0) return -1;
    if (close(o->fd) != 0 && !o->failed) { o->failed = 1; o->errnum = errno; }
    o->fd = -1;
    if (keep && o->failed) sw_seterr(err, "%s: cannot write it: %s", o->dest, strerror(o->errnum));
    if (keep && !o->failed && rename(o->tmp, o->dest) != 0) {
        sw_seterr(err, "%s: cannot put it in place: %s", o->dest, strerror(errno));
        o->failed = 1;
    }
    if (!keep || o->failed) { unlink(o->tmp); return -1; }
    return 0;
}

/* ---- saving ---- */

typedef struct { char name[40]; unsigned long crc, size, offset; } ZipEntry;

int Npy_save(Trace *t, const char *spec, const char *path, int npz, SavedArray **out, char *err) {
    const Config *c = &t->m->c;
    *out = NULL;
    if (Npy_check(t->m, spec, npz, err) != 0) return -1;
    int n;
    Pick *picks;
    if (strcmp(spec, "all") == 0) {
        n = all_picks(c, NULL, 0);
        if (!(picks = sw_calloc((size_t)n, sizeof *picks, "the station list", err))) return -1;
        all_picks(c, picks, n);
    } else {
        n = 1;
        if (!(picks = sw_calloc(1, sizeof *picks, "the station list", err))) return -1;
        parse_spec(c, spec, &picks[0]);
    }
    SavedArray *arrs = sw_calloc((size_t)n, sizeof *arrs, "the list of arrays", err);
    ZipEntry *zent = npz ? sw_calloc((size_t)n, sizeof *zent, "the zip directory", err) : NULL;
    Out o;
    if (!arrs || (npz && !zent) || out_open(&o, path, err) != 0) {
        free(picks); free(arrs); free(zent);
        return -1;
    }
    unsigned long offset = 0;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        void *data = gather(t, picks[i], &arrs[i], err);
        size_t len = 0;
        unsigned char *file = data ? npy_bytes(&arrs[i], data, &len, err) : NULL;
        free(data);
        if (!file) { rc = -1; break; }
        if (!npz) {
            out_write(&o, file, len);
        } else {
            ZipEntry *z = &zent[i];
            snprintf(z->name, sizeof z->name, "%s.npy", arrs[i].name);
            size_t nl = strlen(z->name);
            if (len > 0xFFFFFFF0ul || offset > 0xFFFFFFF0ul - len - 30 - nl) {   /* no ZIP64 here */
                sw_seterr(err, "%s: over 4 GB, more than a plain .npz holds; save the stations one by one with --save STATION --npy FILE", path);
                free(file);
                rc = -1;
                break;
            }
            z->crc = Npy_crc32(0, file, len);
            z->size = (unsigned long)len;
            z->offset = offset;
            /* local file header: signature, version 2.0, no flags, method 0 (stored),
             * time 00:00 and date 1980-01-01 (fixed: the same run, the same bytes) */
            unsigned char h[30] = {0};
            le32(h, 0x04034b50ul);
            le16(h + 4, 20);
            le16(h + 12, 0x21);
            le32(h + 14, z->crc);
            le32(h + 18, z->size);
            le32(h + 22, z->size);
            le16(h + 26, (unsigned)nl);
            out_write(&o, h, sizeof h);
            out_write(&o, z->name, nl);
            out_write(&o, file, len);
            offset += 30 + (unsigned long)nl + (unsigned long)len;
        }
        free(file);
    }
    if (rc == 0 && npz) {
        /* the central directory, then its end record */
        unsigned long dir_start = offset, dir_len = 0;
        for (int i = 0; i < n; i++) {
            ZipEntry *z = &zent[i];
            size_t nl = strlen(z->name);
            unsigned char h[46] = {0};
            le32(h, 0x02014b50ul);
            le16(h + 4, 20);    /* made by: version 2.0 */
            le16(h + 6, 20);    /* needed to extract */
            le16(h + 14, 0x21);
            le32(h + 16, z->crc);
            le32(h + 20, z->size);
            le32(h + 24, z->size);
            le16(h + 28, (unsigned)nl);
            le32(h + 42, z->offset);
            out_write(&o, h, sizeof h);
            out_write(&o, z->name, nl);
            dir_len += 46 + (unsigned long)nl;
        }
        unsigned char e[22] = {0};
        le32(e, 0x06054b50ul);
        le16(e + 8, (unsigned)n);
        le16(e + 10, (unsigned)n);
        le32(e + 12, dir_len);
        le32(e + 16, dir_start);
        out_write(&o, e, sizeof e);
    }
    if (out_close(&o, rc == 0, err) != 0) rc = -1;
    free(picks);
    free(zent);
    if (rc != 0) { free(arrs); return -1; }
    *out = arrs;
    return n;
}
