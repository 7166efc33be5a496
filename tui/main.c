/* main.c - shapewalk's command line: parse options, open the model, then either the
 * ncurses program (tui/app.c) or a headless report (app/headless.c). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/blas.h"
#include "engine/compare.h"
#include "engine/pool.h"
#include "app/headless.h"
#include "app/options.h"
#include "app/record.h"
#include "tui/app.h"

static void usage(FILE *f) {
    fputs(
"Usage: shapewalk [OPTION]...\n"
"Step through a real language model's forward pass, one station at a time.\n"
"\n"
"With no options, opens the default model on a ready prompt in the terminal.\n"
"\n"
"Model and prompt:\n"
"  -m, --model NAME|PATH   gpt2, qwen2.5-0.5b, stories15M, ... (fetched with `make model NAME=...`),\n"
"                          a Hugging Face GPT-2 folder, a llama2.c .bin, or a .gguf file\n"
"      --tokenizer PATH    tokenizer .bin for a llama2.c checkpoint\n"
"  -p, --prompt TEXT       a prompt; repeat for a batch (B > 1); '-' reads stdin\n"
"      --prompt-file FILE  --jsonl's prompts, one per line\n"
"      --truncate          keep BOS and the last tokens that fit a long prompt\n"
"      --compare PATH      a second model of the same shape and vocabulary (a quantized copy):\n"
"                          --json/--dump add the comparison; in the program, press Q\n"
"\n"
"Headless output (no terminal needed):\n"
"      --dump              print the shape walk: every station, its maths and shape\n"
"      --json              per-token probability, loss, rank and top-k as JSON\n"
"      --jsonl             one JSON report per line of --prompt - (stdin) or --prompt-file\n"
"      --logit-lens        add the logit lens (top-1 after every block) to --json/--dump\n"
"  -k, --top-k K           alternatives per position (default 10)\n"
"  -g, --generate N        append N generated tokens (KV cache)\n"
"      --save STATION --npy FILE   a station's tensor (3.2.f, 5, 3.1.b.k) as NumPy .npy\n"
"      --save all --npz FILE       every station's tensors in one .npz\n"
"\n"
"Sampling (default: greedy):\n"
"      --temperature TAU   τ: 0 = greedy; 1 = the model's own distribution\n"
"      --top-p P           nucleus sampling\n"
"      --sample-top-k K    sample among the K most likely only\n"
"      --seed S            random seed (default 1; in the program R takes the next)\n"
"\n"
"Display:\n"
"      --lesson            guided classroom mode\n"
"      --large             large print (projector)\n"
"      --mono              no colours (also when NO_COLOR is set)\n"
"      --contrast          high-contrast colours for projectors (c toggles them)\n"
"      --station N         open at station N: 0..7, 3.2 (block 2), 3.2.f (a step inside);\n"
"                          with --dump, print that station only\n"
"      --tour              a guided walk: one sentence per stop for the room, a presenter line\n"
"      --record FILE       save this run's prompts, options and keys as a demo (plain text)\n"
"      --replay FILE       play a demo back: Space plays the next key\n"
"      --replay-delay MS   ... or one key every MS milliseconds\n"
"      --threads N         threads for the matmuls and attention heads (default: all cores)\n"
"      --blas-kernel NAME  OpenBLAS kernels: auto (default: the best this CPU runs when the\n"
"                          library picked weaker ones), keep (the library's pick), or a\n"
"                          name such as Haswell, Zen, SkylakeX\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n"
"\n"
"Press ? in the program for its keys. Report bugs in the project's issue tracker.\n", f);
}

static int parse_int(const char *opt, const char *v, int lo, int hi, int *out) {
    char *end;
    long x = strtol(v, &end, 10);
    if (!*v || *end || x < lo || x > hi) {
        fprintf(stderr, "shapewalk: %s '%s' is not a whole number from %d to %d\n", opt, v, lo, hi);
        return -1;
    }
    *out = (int)x;
    return 0;
}

static int parse_float(const char *opt, const char *v, double lo, double hi, float *out) {
    char *end;
    double x = strtod(v, &end);
    if (!*v || *end || !(x >= lo && x <= hi)) {
        fprintf(stderr, "shapewalk: %s '%s' is not a number from %g to %g\n", opt, v, lo, hi);
        return -1;
    }
    *out = (float)x;
    return 0;
}

/* --station: the form of a station number (0..7, 3.N, 3.N.a..k); whether this model has it
 * (N up to L, the rotary step c) is checked once it is open. */
static int parse_station(const char *v, Options *o) {
    if (!Demo_station_syntax(v)) {
        fprintf(stderr, "shapewalk: --station '%s' is not a station number; give 0..7, 3.N for block N, or 3.N.a..k for a step inside (e.g. 3.1.f)\n", v);
        return -1;
    }
    o->station = v[0] - '0';
    o->station_name = v;
    return 0;
}

#define STDIN_MAX ((size_t)64 << 20)   /* the "64 MB" the message promises: 67,108,864 bytes */

/* The whole of stdin as one prompt (at most STDIN_MAX bytes; the buffer doubles, so linear time).
 * Exits 2 with one line when it is too long, unreadable or holds a NUL byte. */
static char *read_stdin(void) {
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, stdin);
        n += got;
        if (n > STDIN_MAX) {
            fprintf(stderr, "shapewalk: the prompt on standard input is over 64 MB (%zu bytes); give a shorter one\n", STDIN_MAX);
            free(buf);
            exit(2);
        }
        if (got == 0) break;
        if (n + 1 >= cap) {
            size_t ncap = cap * 2 > STDIN_MAX + 2 ? STDIN_MAX + 2 : cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) { free(buf); return NULL; }
            buf = nb;
            cap = ncap;
        }
    }
    if (!buf) return NULL;
    if (ferror(stdin)) {
        fprintf(stderr, "shapewalk: cannot read the prompt from standard input: %s\n", strerror(errno));
        free(buf);
        exit(2);
    }
    if (memchr(buf, 0, n)) {
        fprintf(stderr, "shapewalk: the prompt on standard input has a NUL byte at offset %zu; prompts are text\n",
                (size_t)((char *)memchr(buf, 0, n) - buf));
        free(buf);
        exit(2);
    }
    buf[n] = 0;
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = 0;   /* a trailing newline from echo */
    return buf;
}

enum { O_TOKENIZER = 256, O_TRUNCATE, O_DUMP, O_JSON, O_LENS, O_TEMP, O_TOPP, O_STOPK, O_SEED,
       O_LESSON, O_LARGE, O_MONO, O_CONTRAST, O_STATION, O_THREADS, O_BLAS, O_JSONL, O_PFILE, O_SAVE, O_NPY, O_NPZ,
       O_COMPARE, O_TOUR, O_RECORD, O_REPLAY, O_REPLAY_DELAY };

int main(int argc, char **argv) {
    static const struct option longopts[] = {
        {"model", required_argument, 0, 'm'},     {"tokenizer", required_argument, 0, O_TOKENIZER},
        {"prompt", required_argument, 0, 'p'},    {"truncate", no_argument, 0, O_TRUNCATE},
        {"dump", no_argument, 0, O_DUMP},         {"json", no_argument, 0, O_JSON},
        {"logit-lens", no_argument, 0, O_LENS},   {"top-k", required_argument, 0, 'k'},
        {"generate", required_argument, 0, 'g'},  {"temperature", required_argument, 0, O_TEMP},
        {"top-p", required_argument, 0, O_TOPP},  {"sample-top-k", required_argument, 0, O_STOPK},
        {"seed", required_argument, 0, O_SEED},   {"lesson", no_argument, 0, O_LESSON},
        {"large", no_argument, 0, O_LARGE},       {"mono", no_argument, 0, O_MONO},
        {"contrast", no_argument, 0, O_CONTRAST},
        {"station", required_argument, 0, O_STATION}, {"threads", required_argument, 0, O_THREADS},
        {"help", no_argument, 0, 'h'},            {"version", no_argument, 0, 'V'},
        {"blas-kernel", required_argument, 0, O_BLAS},
        {"compare", required_argument, 0, O_COMPARE},
        {"jsonl", no_argument, 0, O_JSONL},       {"prompt-file", required_argument, 0, O_PFILE},
        {"save", required_argument, 0, O_SAVE},   {"npy", required_argument, 0, O_NPY},
        {"npz", required_argument, 0, O_NPZ},
        {"tour", no_argument, 0, O_TOUR},         {"record", required_argument, 0, O_RECORD},
        {"replay", required_argument, 0, O_REPLAY}, {"replay-delay", required_argument, 0, O_REPLAY_DELAY},
        {0, 0, 0, 0}};
    /* before anything else (stdin, the terminal, any BLAS call): --blas-kernel, and perhaps a
     * second start with OpenBLAS's better kernels (engine/blas.h) */
    {
        const char *blas_mode = NULL;
        char **av = malloc(sizeof *av * ((size_t)argc + 1));   /* getopt permutes: argv stays as given */
        int bc;
        if (!av) return 1;
        memcpy(av, argv, sizeof *av * ((size_t)argc + 1));
        opterr = 0;
        while ((bc = getopt_long(argc, av, ":m:p:k:g:hV", longopts, NULL)) != -1)
            if (bc == O_BLAS) blas_mode = optarg;
        free(av);
        optind = 0;   /* glibc: start the real parse afresh */
        int brc = Blas_startup(blas_mode, argv);
        if (brc) return brc;
    }
    Options o;
    memset(&o, 0, sizeof o);
    o.top_k = 10;
    o.station = -1;
    o.sampler.rng = 1;
    char *stdin_prompt = NULL;
    const char *cut_by = NULL;
    const char *prompt_file = NULL;   /* --prompt-file; --jsonl reads it line by line */
    int stdin_slot = -1;              /* which prompt --prompt - is (read after the options) */   /* --top-p / --sample-top-k, which only mean something when sampling */
    int c, rc = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":m:p:k:g:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'm':
        case O_TOKENIZER:
            /* an empty value is a mistake (--model "$UNSET"), not a request for the default */
            if (!*optarg) {
                fprintf(stderr, "shapewalk: %s \"\" is empty; give a %s (or leave the option out for the default)\n",
                        c == 'm' ? "--model" : "--tokenizer", c == 'm' ? "model name or path" : "tokenizer path");
                free(stdin_prompt);
                return 2;
            }
            if (c == 'm') o.model = optarg; else o.tokenizer = optarg;
            break;
        case 'p':
            if (o.n_prompts == SW_MAX_B) {
                fprintf(stderr, "shapewalk: at most %d prompts (--prompt) in one batch\n", SW_MAX_B);
                return 2;
            }
            if (strcmp(optarg, "-") == 0) {
                if (stdin_slot >= 0) { fprintf(stderr, "shapewalk: --prompt - can be given once\n"); return 2; }
                stdin_slot = o.n_prompts;   /* read once the options are known: --jsonl reads it by lines */
                o.prompts[o.n_prompts++] = "";
            } else {
                o.prompts[o.n_prompts++] = optarg;
            }
            break;
        case O_TRUNCATE: o.truncate = 1; break;
        case O_COMPARE: o.compare = optarg; break;
        case O_DUMP: o.dump = 1; break;
        case O_JSON: o.json = 1; break;
        case O_JSONL: o.jsonl = 1; break;
        case O_PFILE: prompt_file = optarg; break;
        case O_SAVE:
            if (o.n_save == OPTIONS_MAX_SAVE) { fprintf(stderr, "shapewalk: at most %d --save in one run (--save all --npz FILE saves every station)\n", OPTIONS_MAX_SAVE); return 2; }
            if (o.n_save && !o.save[o.n_save - 1].file) { fprintf(stderr, "shapewalk: --save %s needs --npy FILE (or --npz FILE) before the next --save\n", o.save[o.n_save - 1].station); return 2; }
            o.save[o.n_save++] = (SaveOpt){optarg, NULL, 0};
            break;
        case O_NPY:
        case O_NPZ: {
            const char *flag = c == O_NPY ? "--npy" : "--npz";
            if (!o.n_save || o.save[o.n_save - 1].file) { fprintf(stderr, "shapewalk: %s %s needs a --save STATION before it (e.g. --save 3.2.f %s FILE)\n", flag, optarg, flag); return 2; }
            if (!*optarg) { fprintf(stderr, "shapewalk: %s \"\" is empty; give a file name\n", flag); return 2; }
            for (int i = 0; i < o.n_save - 1; i++)
                if (strcmp(o.save[i].file, optarg) == 0) { fprintf(stderr, "shapewalk: %s %s: that file is already given to --save %s; give each --save its own file\n", flag, optarg, o.save[i].station); return 2; }
            o.save[o.n_save - 1].file = optarg;
            o.save[o.n_save - 1].npz = c == O_NPZ;
            break;
        }
        case O_LENS: o.logit_lens = 1; break;
        case 'k': if (parse_int("--top-k", optarg, 1, 1000, &o.top_k)) return 2; break;
        case 'g': if (parse_int("--generate", optarg, 0, 100000, &o.max_new)) return 2; break;
        case O_TEMP: if (parse_float("--temperature", optarg, 0, 100, &o.sampler.temperature)) return 2; break;
        case O_TOPP: if (parse_float("--top-p", optarg, 0, 1, &o.sampler.top_p)) return 2; cut_by = "--top-p"; break;
        case O_STOPK: if (parse_int("--sample-top-k", optarg, 0, 1000000, &o.sampler.top_k)) return 2; cut_by = "--sample-top-k"; break;
        case O_SEED: {
            char *end;
            errno = 0;
            unsigned long long s = strtoull(optarg, &end, 10);
            if (!*optarg || *end || optarg[0] == '-' || errno == ERANGE) {
                fprintf(stderr, "shapewalk: --seed '%s' is not a whole number from 0 to %llu\n", optarg, ULLONG_MAX);
                return 2;
            }
            o.sampler.rng = s ? s : 1;
            break;
        }
        case O_LESSON: o.lesson = 1; break;
        case O_LARGE: o.large = 1; break;
        case O_MONO: o.mono = 1; break;
        case O_CONTRAST: o.contrast = 1; break;
        case O_STATION: if (parse_station(optarg, &o)) return 2; break;
        case O_THREADS: if (parse_int("--threads", optarg, 1, 256, &o.threads)) return 2; break;
        case O_TOUR: o.tour = 1; break;
        case O_RECORD: o.record = optarg; break;
        case O_REPLAY: o.replay = optarg; break;
        case O_REPLAY_DELAY: if (parse_int("--replay-delay", optarg, 1, 600000, &o.replay_delay)) return 2; break;
        case 'h': usage(stdout); return 0;
        case O_BLAS: break;   /* read by Blas_startup above */
        case 'V': {
            char blas[256];
            Blas_describe(blas, sizeof blas);
            printf("shapewalk %s\nBLAS: %s\n", SW_VERSION, blas);
            return 0;
        }
        case ':':
            fprintf(stderr, "shapewalk: option '%s' needs a value; see shapewalk --help\n", argv[optind - 1]);
            return 2;
        default:
            if (optopt) fprintf(stderr, "shapewalk: unknown option '-%c'; see shapewalk --help\n", optopt);
            else fprintf(stderr, "shapewalk: unknown option '%s'; see shapewalk --help\n", argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "shapewalk: unexpected argument '%s'; give a prompt with --prompt \"...\" (see shapewalk --help)\n", argv[optind]);
        return 2;
    }
    static Demo demo;   /* --replay's, alive until the program ends */
    Demo_init(&demo);
    if (o.replay_delay && !o.replay) { fprintf(stderr, "shapewalk: --replay-delay times a --replay FILE; add one (or leave --replay-delay out)\n"); return 2; }
    if ((o.replay || o.record || o.tour) && (o.dump || o.json || o.jsonl || o.n_save || o.logit_lens)) {
        fprintf(stderr, "shapewalk: %s is for the program in the terminal; leave out --dump, --json, --jsonl, --save and --logit-lens\n",
                o.replay ? "--replay" : o.record ? "--record" : "--tour");
        return 2;
    }
    if (o.record) {
        char rerr[SW_ERR_LEN];
        if (o.replay && strcmp(o.record, o.replay) == 0) { fprintf(stderr, "shapewalk: --record %s is the --replay file; give the new demo another name\n", o.record); return 2; }
        if (Demo_check_target(o.record, rerr, sizeof rerr) != 0) { fprintf(stderr, "shapewalk: --record %s\n", rerr); return 2; }
    }
    if (o.replay) {
        char rerr[SW_ERR_LEN + 64];
        if (Demo_load(&demo, o.replay, rerr, sizeof rerr) != 0) { fprintf(stderr, "shapewalk: --replay %s\n", rerr); return 2; }
        if (demo.n_prompts && o.n_prompts) {
            fprintf(stderr, "shapewalk: --replay %s brings its own prompts (%d); leave out --prompt\n", o.replay, demo.n_prompts);
            Demo_free(&demo);
            return 2;
        }
        for (int i = 0; i < demo.n_prompts; i++) o.prompts[o.n_prompts++] = demo.prompts[i];
        if (demo.model && !o.model) o.model = demo.model;
        if (demo.station[0] && !o.station_name && parse_station(demo.station, &o)) { Demo_free(&demo); return 2; }
        if (demo.top_k > 0) o.top_k = demo.top_k;
        if (demo.large >= 0) o.large = demo.large;
        if (demo.tour >= 0) o.tour = demo.tour;
        if (demo.contrast >= 0) o.contrast = demo.contrast;
        if (demo.temperature >= 0) o.sampler.temperature = demo.temperature;
        if (demo.top_p >= 0) o.sampler.top_p = demo.top_p;
        if (demo.sample_top_k >= 0) o.sampler.top_k = demo.sample_top_k;
        if (demo.seed) o.sampler.rng = demo.seed;
        o.demo = &demo;
    }
    if (o.dump && o.json) {
        fprintf(stderr, "shapewalk: --dump and --json are two kinds of output; give one of them\n");
        free(stdin_prompt);
        return 2;
    }
    if (o.n_save && !o.save[o.n_save - 1].file) {
        fprintf(stderr, "shapewalk: --save %s needs --npy FILE after it (--save all: --npz FILE)\n", o.save[o.n_save - 1].station);
        return 2;
    }
    if (o.station_name && (o.json || o.jsonl || (o.n_save && !o.dump))) {
        fprintf(stderr, "shapewalk: --station %s opens the program there (with --dump: prints that station only); --json has no stations: save one with --save %s --npy FILE\n",
                o.station_name, o.station_name);
        free(stdin_prompt);
        return 2;
    }
    if (o.jsonl && o.n_save) { fprintf(stderr, "shapewalk: --save writes one run's tensors; it does not go with --jsonl (run it for one prompt)\n"); return 2; }
    if (o.jsonl || prompt_file) {
        const char *why = NULL;
        if (!o.jsonl) why = "--prompt-file gives --jsonl its prompts, one per line; add --jsonl (for one prompt from a file, --prompt - < FILE)";
        else if (o.dump || o.json) why = "--jsonl prints one JSON report per line; leave out --dump and --json";
        else if ((stdin_slot >= 0) == (prompt_file != NULL)) why = "--jsonl reads one prompt per line from --prompt - (standard input) or --prompt-file FILE; give one of them";
        else if (o.n_prompts > (stdin_slot >= 0)) why = "--jsonl takes its prompts from the lines, not from --prompt TEXT; put every prompt on a line of its own";
        if (why) { fprintf(stderr, "shapewalk: %s\n", why); return 2; }
        if (stdin_slot >= 0) o.n_prompts = 0;
    } else if (stdin_slot >= 0) {
        if (!(stdin_prompt = read_stdin())) { fprintf(stderr, "shapewalk: out of memory reading the prompt from standard input\n"); return 2; }
        o.prompts[stdin_slot] = stdin_prompt;
    }
    if (o.record) {   /* what a demo file cannot hold is refused now, not when the run ends */
        char rerr[SW_ERR_LEN];
        int bad = -1;
        for (int i = 0; i < o.n_prompts && bad < 0; i++)
            if (Demo_check_prompt(o.prompts[i], rerr, sizeof rerr) != 0) bad = i;
        if (bad >= 0 || (o.model && Demo_check_model(o.model, rerr, sizeof rerr) != 0)) {
            if (bad >= 0) fprintf(stderr, "shapewalk: --record %s: prompt %d: %s\n", o.record, bad + 1, rerr);
            else fprintf(stderr, "shapewalk: --record %s: %s\n", o.record, rerr);
            free(stdin_prompt);
            return 2;
        }
    }
    if (cut_by && o.sampler.temperature <= 0) {
        fprintf(stderr, "shapewalk: %s cuts the list a sample is drawn from, but without --temperature the choice is greedy; add --temperature 1 (or leave %s out)\n",
                cut_by, cut_by);
        free(stdin_prompt);
        return 2;
    }
    if (getenv("NO_COLOR") && *getenv("NO_COLOR")) o.mono = 1;
    int headless = o.dump || o.json || o.jsonl || o.n_save;
    if (o.logit_lens && !headless) o.json = headless = 1;
    if (!headless && o.max_new > 0) {
        fprintf(stderr, "shapewalk: --generate is for --dump and --json; in the program, press g to append a token\n");
        free(stdin_prompt);
        return 2;
    }
    if (!headless && o.top_k > OPTIONS_MAX_TOPK) {
        fprintf(stderr, "shapewalk: --top-k %d: the program shows at most %d (--json and --dump take up to 1000)\n", o.top_k, OPTIONS_MAX_TOPK);
        free(stdin_prompt);
        return 2;
    }
    if (!headless && (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))) {
        fprintf(stderr, "shapewalk: %s is not a terminal; for text output use --dump or --json (see shapewalk --help)\n",
                isatty(STDOUT_FILENO) ? "standard input" : "standard output");
        free(stdin_prompt);
        return 2;
    }
    FILE *lines_in = NULL;   /* --jsonl's lines */
    if (o.jsonl && prompt_file && !(lines_in = fopen(prompt_file, "r"))) {
        fprintf(stderr, "shapewalk: --prompt-file %s: %s\n", prompt_file, strerror(errno));
        free(stdin_prompt);
        return 2;
    }
    struct stat lsb;
    if (lines_in && fstat(fileno(lines_in), &lsb) == 0 && S_ISDIR(lsb.st_mode)) {
        fprintf(stderr, "shapewalk: --prompt-file %s is a folder; give a text file with one prompt per line\n", prompt_file);
        fclose(lines_in);
        free(stdin_prompt);
        return 2;
    }
    if (o.jsonl && !lines_in) lines_in = stdin;
    if (o.threads > 0) Pool_set_threads(o.threads);

    char err[SW_ERR_LEN], path[4096];
    if (Model_resolve(o.model, path, sizeof path, err) != 0) {
        fprintf(stderr, "shapewalk: %s\n", err);
        if (lines_in && lines_in != stdin) fclose(lines_in);
        free(stdin_prompt);
        return 1;
    }
    Model *m = Model_open(path, o.tokenizer, err);
    if (!m) {
        fprintf(stderr, "shapewalk: %s\n", err);
        if (lines_in && lines_in != stdin) fclose(lines_in);
        free(stdin_prompt);
        return 1;
    }
    if (o.compare && !(o.compare_model = Compare_open(m, o.compare, NULL, err))) {
        fprintf(stderr, "shapewalk: --compare %s: %s\n", o.compare, err);
        Model_free(m);
        free(stdin_prompt);
        return 1;
    }
    StationRef st_ref;
    if (o.station_name && Station_find(&m->c, o.station_name, &st_ref) != 0) {
        fprintf(stderr, "shapewalk: --station %s: %s has no such station (%d blocks: 3.1..3.%d; steps a..k%s)\n", o.station_name, m->name,
                m->c.n_layers, m->c.n_layers, m->c.pos == POS_ROPE ? "" : ", no rotary step c");
        Model_free(o.compare_model);
        Model_free(m);
        free(stdin_prompt);
        return 2;
    }
    char note[4400];
    if (!o.model && !headless && strcmp(m->name, "gpt2") != 0) {
        snprintf(note, sizeof note, "opened %s from %s; for GPT-2 run `make model NAME=gpt2`", m->name, m->path);
        o.note = note;
    }

    if (o.jsonl) rc = Headless_jsonl(m, &o, lines_in, prompt_file ? prompt_file : "standard input", stdout, stderr);
    else if (headless) rc = Headless_run(m, &o, stdout, stderr);
    else rc = Tui_run(m, &o);
    if (lines_in && lines_in != stdin) fclose(lines_in);

    Model_free(o.compare_model);
    Model_free(m);
    free(stdin_prompt);
    Demo_free(&demo);
    return rc;
}
