/* test_stations_doc.c - docs/stations.md is what engine/stations.c's table says
 * (Stations_markdown), and the station numbers read back (Station_find).
 * With --print it writes the Markdown to stdout instead: `make docs` uses that. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/stations.h"

static char *read_all(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) { char *nb = realloc(buf, cap *= 2); if (!nb) { free(buf); buf = NULL; } else buf = nb; }
    }
    fclose(f);
    *n = len;
    return buf;
}

static void test_doc(void) {
    const char *name = "stations: docs/stations.md is current (run make docs after editing engine/stations.c)";
    char *gen = NULL;
    size_t ng = 0, nd = 0;
    FILE *m = open_memstream(&gen, &ng);
    if (!m) { fail(name, "open_memstream failed"); return; }
    Stations_markdown(m);
    fclose(m);
    char *doc = read_all("docs/stations.md", &nd);
    if (!doc) fail(name, "cannot read docs/stations.md (run from the project root; make docs writes it)");
    else if (nd != ng || memcmp(doc, gen, ng) != 0) {
        size_t i = 0;
        while (i < nd && i < ng && doc[i] == gen[i]) i++;
        int line = 1;
        for (size_t j = 0; j < i; j++) line += doc[j] == '\n';
        fail(name, "docs/stations.md differs from the table from line %d on", line);
    } else pass(name);
    free(doc);
    free(gen);
}

/* Station numbers as typed in the walk: the numbers of a 5-layer model with a rotary step. */
static void test_find(void) {
    Config c;
    memset(&c, 0, sizeof c);
    c.pos = POS_ROPE;      /* a Llama: RoPE, SwiGLU */
    c.mlp = MLP_SWIGLU;
    c.n_layers = 5;
    StationRef s;
    expect(Station_find(&c, "5", &s) == 0 && s.kind == ST_LM_HEAD && s.layer == -1, "stations: '5' is the LM head", "kind %d", s.kind);
    expect(Station_find(&c, "3", &s) == 0 && s.kind == ST_BLOCK && s.layer == 0, "stations: '3' is block 1", "kind %d layer %d", s.kind, s.layer);
    expect(Station_find(&c, "3.5", &s) == 0 && s.kind == ST_BLOCK && s.layer == 4, "stations: '3.5' is block 5", "kind %d layer %d", s.kind, s.layer);
    expect(Station_find(&c, "3.2.d", &s) == 0 && s.kind == ST_SCORES && s.layer == 1, "stations: '3.2.d' is block 2's scores", "kind %d layer %d", s.kind, s.layer);
    expect(Station_find(&c, "3.2.c", &s) == 0 && s.kind == ST_ROPE, "stations: '3.2.c' is the rotary step (Llama)", "kind %d", s.kind);
    int bad = Station_find(&c, "3.6", &s) == 0 || Station_find(&c, "8", &s) == 0 || Station_find(&c, "3.2.z", &s) == 0 ||
              Station_find(&c, "x", &s) == 0 || Station_find(&c, "5.1", &s) == 0 || Station_find(&c, "3.", &s) == 0;
    expect(!bad, "stations: no station 3.6, 8, 3.2.z, x, 5.1, 3.", " ");
    Config g = c;          /* a GPT-2: learned positions, GELU */
    g.pos = POS_LEARNED;
    g.mlp = MLP_GELU;
    expect(Station_find(&g, "3.1.c", &s) != 0, "stations: learned positions have no rotary step 3.1.c", " ");
    const StationTensor *t;
    int n_gelu = Station_tensors(ST_MLP_UP, &g, &t), n_swiglu = Station_tensors(ST_MLP_UP, &c, &t);
    expect(n_gelu == 2 && n_swiglu == 3 && Station_tensors(ST_QKV, &g, &t) == 3 && Station_tensors(ST_EMBED, &g, &t) == 1,
           "stations: w cycles 2 MLP tensors for GELU, 3 (the up projection too) for SwiGLU, q k v, one elsewhere", "%d %d",
           n_gelu, n_swiglu);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--print") == 0) {
        Stations_markdown(stdout);
        return 0;
    }
    test_doc();
    test_find();
    return check_done();
}
