/* test_record.c - demo files (app/record.c): parse, write and read back; refusals of bad lines,
 * long lines, text that is not UTF-8 and NUL bytes, each in one message naming the file and
 * the line; the longest prompts written and read back; the safe write (no writing through a
 * symbolic link, no temporary file left). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "app/record.h"
#include "tests/check.h"

static int parse(Demo *d, const char *text, size_t n, char *err) {
    Demo_init(d);
    return Demo_parse(d, text, n, "demo.txt", err, 256);
}

/* the text refused, with the message holding every want */
static void refused(const char *name, const char *text, size_t n, const char *want1, const char *want2) {
    Demo d;
    char err[256] = "";
    int rc = parse(&d, text, n, err);
    int ok = rc != 0 && strstr(err, "demo.txt") && strstr(err, want1) && (!want2 || strstr(err, want2)) && !strchr(err, '\n');
    expect(ok, name, "rc %d, message \"%s\"", rc, err);
    Demo_free(&d);
}

static int count_files(const char *dir) {
    DIR *dd = opendir(dir);
    int n = 0;
    struct dirent *e;
    if (!dd) return -1;
    while ((e = readdir(dd)) != NULL)
        if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))) n++;
    closedir(dd);
    return n;
}

int main(void) {
    /* ---- a demo as a person writes it ---- */
    const char *text =
        "# the cat and the dog\n"
        "prompt The cat sat on the mat\n"
        "prompt   two\\nlines \\\\ and C:\\path\r\n"
        "model stories260K\n"
        "station 3.1.f\n"
        "top-k 5\n"
        "large on\n"
        "tour off\n"
        "contrast on\n"
        "seed 7\n"
        "\n"
        "keys\n"
        "right\n"
        "  enter  \n"
        "# a comment among the keys\n"
        "g\n"
        "space\n"
        "hash\n"
        "U+00E9\n"
        "type hé!\n";
    Demo d;
    char err[256] = "";
    int rc = parse(&d, text, strlen(text), err);
    expect(rc == 0, "record: a hand-written demo parses", "%s", err);
    if (rc == 0) {
        expect(d.n_prompts == 2 && strcmp(d.prompts[0], "The cat sat on the mat") == 0, "record: the first prompt", "%d '%s'", d.n_prompts, d.n_prompts ? d.prompts[0] : "");
        expect(d.n_prompts == 2 && strcmp(d.prompts[1], "  two\nlines \\ and C:\\path") == 0, "record: escapes \\n \\\\ decoded, other backslashes kept, CRLF cut",
               "'%s'", d.n_prompts > 1 ? d.prompts[1] : "");
        expect(d.model && strcmp(d.model, "stories260K") == 0 && strcmp(d.station, "3.1.f") == 0 && d.top_k == 5 && d.large == 1 && d.tour == 0 && d.contrast == 1 && d.seed == 7,
               "record: the options", "model %s station %s top-k %d large %d tour %d seed %llu", d.model ? d.model : "-", d.station, d.top_k, d.large, d.tour, d.seed);
        int want[] = {DK_RIGHT, DK_ENTER, 'g', ' ', '#', 0xE9, 'h', 0xE9, '!'};
        int nw = (int)(sizeof want / sizeof *want), same = d.n_keys == nw;
        for (int i = 0; same && i < nw; i++) same = d.keys[i].code == want[i];
        expect(same, "record: the keys (names, a character, U+XXXX, type TEXT)", "%d keys", d.n_keys);
        expect(d.n_keys > 1 && d.keys[0].line == 13 && d.keys[1].line == 14, "record: each key knows its line", "%d %d", d.keys[0].line, d.n_keys > 1 ? d.keys[1].line : 0);

        /* ---- a backslash before a byte written as an escape, or before an escape's letters ---- */
        {
            const char *bt = "prompt x\\\\\\n \\\\n \\\\\\\\ \\e\\\\\\x01 end\\\n";
            Demo bd;
            char be[256] = "";
            int brc = parse(&bd, bt, strlen(bt), be);
            size_t bn = 0;
            char *bo = brc == 0 ? Demo_format(&bd, &bn) : NULL;
            Demo be2;
            char be2e[256] = "";
            int brc2 = bo ? parse(&be2, bo, bn, be2e) : -1;
            expect(brc == 0 && strcmp(bd.prompts[0], "x\\\n \\n \\\\ \\e\\\x01 end\\") == 0 && brc2 == 0 && strcmp(be2.prompts[0], bd.prompts[0]) == 0 &&
                       bo && strstr(bo, "prompt x\\\\\\n \\\\n \\\\\\ \\e\\\\\\x01 end\\\n"),
                   "record: backslashes next to escapes read back the same, written no longer than read", "%s / %s", be, bo ? bo : "(null)");
            if (brc2 == 0) Demo_free(&be2);
            free(bo);
            if (brc == 0) Demo_free(&bd);
        }

        /* ---- format and read back: the same demo ---- */
        size_t n;
        char *out = Demo_format(&d, &n);
        Demo e;
        char err2[256] = "";
        int rc2 = out ? parse(&e, out, n, err2) : -1;
        int same2 = rc2 == 0 && e.n_prompts == d.n_prompts && e.n_keys == d.n_keys && e.top_k == d.top_k && e.large == d.large &&
                    e.tour == d.tour && e.contrast == d.contrast && e.seed == d.seed && strcmp(e.station, d.station) == 0 && e.model && strcmp(e.model, d.model) == 0;
        for (int i = 0; same2 && i < d.n_prompts; i++) same2 = strcmp(e.prompts[i], d.prompts[i]) == 0;
        for (int i = 0; same2 && i < d.n_keys; i++) same2 = e.keys[i].code == d.keys[i].code;
        expect(same2, "record: written and read back, the same prompts, options and keys", "rc %d %s", rc2, err2);
        expect(out && strstr(out, "\nright\nenter\ng\nspace\nhash\nU+00E9\nh\nU+00E9\n!\n"), "record: one key per line, by name", "%s", out ? out : "(null)");
        if (rc2 == 0) Demo_free(&e);
        free(out);
        Demo_free(&d);
    }

    /* ---- control characters in a prompt: \t and \xHH, never raw in the file ---- */
    {
        const char *ctext = "prompt a\\tb\\x1bc\\x7f \\xZZ\\x00\\xee\n";
        Demo cd;
        char cerr[256] = "";
        int crc = parse(&cd, ctext, strlen(ctext), cerr);
        expect(crc == 0 && cd.n_prompts == 1 && strcmp(cd.prompts[0], "a\tb\x1b" "c\x7f \\xZZ\\x00\\xee") == 0,
               "record: \\t and \\xHH decode (a bad \\x, \\x00 and a non-control \\xee stay as written: text stays UTF-8)", "crc %d %s '%s'", crc, cerr, crc == 0 && cd.n_prompts ? cd.prompts[0] : "");
        if (crc == 0) {
            size_t n;
            char *out = Demo_format(&cd, &n);
            int raw = 0;
            for (size_t i = 0; out && i < n; i++) raw |= ((unsigned char)out[i] < 0x20 && out[i] != '\n' && out[i] != '\t') || out[i] == 0x7f;
            /* a tab stays a tab (a line may hold one); a backslash that starts no escape stays single */
            expect(out && !raw && strstr(out, "prompt a\tb\\x1bc\\x7f \\xZZ\\x00\\xee\n"), "record: a prompt's control characters are written escaped", "%s", out ? out : "(null)");
            Demo e;
            char err2[256] = "";
            int rc2 = out ? parse(&e, out, n, err2) : -1;
            expect(rc2 == 0 && e.n_prompts == 1 && strcmp(e.prompts[0], cd.prompts[0]) == 0, "record: a prompt with control characters reads back the same", "rc %d %s", rc2, err2);
            if (rc2 == 0) Demo_free(&e);
            free(out);
            Demo_free(&cd);
        }
    }

    /* ---- every key name reads back as itself ---- */
    int all = 1;
    int codes[] = {DK_RIGHT, DK_LEFT, DK_UP, DK_DOWN, DK_ENTER, DK_ESC, DK_TAB, DK_BTAB, DK_BACKSPACE, DK_PGUP, DK_PGDN, DK_HOME, DK_END, DK_F1, DK_DELETE,
                   ' ', '#', 'a', 'Z', '?', '=', 0x263A, 0x10FFFF, 27, 1, 21};   /* 1, 21: Ctrl-A, Ctrl-U in the editor */
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        char name[32];
        Demo_key_name(codes[i], name, sizeof name);
        if (Demo_key_from_name(name) != codes[i]) { all = 0; fail("record: key name round trip", "%#x -> '%s' -> %#x", codes[i], name, Demo_key_from_name(name)); }
    }
    if (all) pass("record: every key's name reads back as the key");

    /* ---- refusals ---- */
    refused("record: an unknown line", "prompt a\nvolume 11\n", 19, "line 2", "volume");
    refused("record: an unknown key", "keys\nright\nsideways\n", 20, "line 3", "sideways");
    refused("record: a bad option value", "top-k 500\n", 10, "line 1", "top-k");
    refused("record: large takes on/off", "large maybe\n", 12, "line 1", "on or off");
    refused("record: a station that is not a number", "station ../../etc\n", 18, "line 1", "station");
    refused("record: U+D800 (a surrogate) is no key", "keys\nU+D800\n", 12, "line 2", "U+D800");
    refused("record: U+110000 is no key", "keys\nU+110000\n", 14, "line 2", NULL);
    refused("record: U+0000 is no key", "keys\nU+0000\n", 12, "line 2", NULL);
    refused("record: nine prompts", "prompt 1\nprompt 2\nprompt 3\nprompt 4\nprompt 5\nprompt 6\nprompt 7\nprompt 8\nprompt 9\n", 81, "line 9", "8");
    {
        const char nul[] = "prompt a\nprompt b\0c\n";
        refused("record: a NUL byte, named by line and column", nul, sizeof nul - 1, "line 2", "NUL byte at column 9");
        const char bad8[] = "prompt caf\xc3\n";          /* a cut sequence */
        refused("record: a cut UTF-8 sequence", bad8, sizeof bad8 - 1, "line 1", "not UTF-8");
        const char over[] = "prompt \xc0\xaf\n";          /* an overlong '/' */
        refused("record: an overlong UTF-8 form", over, sizeof over - 1, "line 1", "0xC0");
        const char sur[] = "keys\ntype \xed\xa0\x80\n";   /* a surrogate in UTF-8 */
        refused("record: a UTF-8 surrogate", sur, sizeof sur - 1, "line 2", "not UTF-8");
        const char lone[] = "keys\n\x80\n";
        refused("record: a stray continuation byte", lone, sizeof lone - 1, "line 2", "0x80");
        const char ctl[] = "keys\ntype a\x1b[2Jb\n";
        refused("record: `type` with an escape sequence in it", ctl, sizeof ctl - 1, "line 2", "control");
        const char pctl[] = "prompt hi\x1b]0;title\x07\n";
        refused("record: a prompt with a terminal escape in it", pctl, sizeof pctl - 1, "line 1", "U+001B");
        const char c1[] = "prompt a\xc2\x9b" "2J\n";   /* U+009B, the one-character CSI */
        refused("record: a C1 control character", c1, sizeof c1 - 1, "line 1", "U+009B");
    }
    {
        size_t n = DEMO_LINE_MAX + 100;
        char *big = malloc(n + 32);
        strcpy(big, "prompt ok\nprompt ");
        size_t o = strlen(big);
        memset(big + o, 'x', n - o);
        big[n] = '\n';
        refused("record: a line over DEMO_LINE_MAX bytes", big, n + 1, "line 2", "longer than");
        /* exactly DEMO_LINE_MAX bytes is still a line: the longest prompt, each byte an escape */
        memcpy(big, "prompt ", 7);
        for (size_t i = 7; i < DEMO_LINE_MAX; i += 4) memcpy(big + i, "\\x01", 4);
        big[DEMO_LINE_MAX] = '\n';
        Demo d2;
        char e2[256] = "";
        int r = parse(&d2, big, DEMO_LINE_MAX + 1, e2);
        expect(r == 0 && d2.n_prompts == 1 && strlen(d2.prompts[0]) == DEMO_PROMPT_MAX && d2.prompts[0][DEMO_PROMPT_MAX - 1] == 1,
               "record: a line of exactly DEMO_LINE_MAX bytes (DEMO_PROMPT_MAX bytes written \\x01) is read", "%s", e2);
        if (r == 0) Demo_free(&d2);
        /* a line within DEMO_LINE_MAX whose prompt is over DEMO_PROMPT_MAX bytes: refused (so no demo
         * read brings a prompt --record could not write again) */
        memset(big + 7, 'z', DEMO_PROMPT_MAX + 1);
        big[7 + DEMO_PROMPT_MAX + 1] = '\n';
        refused("record: a prompt of DEMO_PROMPT_MAX + 1 bytes", big, 7 + DEMO_PROMPT_MAX + 2, "line 1", "over 65536 bytes");
        free(big);
    }

    /* ---- the longest prompts round-trip: written (record), then read (replay) ---- */
    {
        /* the worst cases for the writer: every byte a control character (\xHH, 4 bytes), every
         * byte a backslash before an escape's letter (doubled), 4-byte UTF-8 characters */
        char *p[4];
        for (int i = 0; i < 4; i++) p[i] = malloc(DEMO_PROMPT_MAX + 1);
        memset(p[0], 0x01, DEMO_PROMPT_MAX);
        for (int i = 0; i < DEMO_PROMPT_MAX; i += 2) memcpy(p[1] + i, "\\n", 2);
        for (int i = 0; i < DEMO_PROMPT_MAX; i += 4) memcpy(p[2] + i, "\xf0\x9f\x98\x80", 4);
        for (int i = 0; i < DEMO_PROMPT_MAX; i++) p[3][i] = "a\\\t\n\x1b\x7f"[i % 6];
        for (int i = 0; i < 4; i++) p[i][DEMO_PROMPT_MAX] = 0;
        Demo m;
        Demo_init(&m);
        int ok = 1;
        char ce[256] = "";
        for (int i = 0; i < SW_MAX_B; i++) {
            ok &= Demo_check_prompt(p[i % 4], ce, sizeof ce) == 0;
            Demo_add_prompt(&m, p[i % 4]);
        }
        expect(ok, "record: prompts of DEMO_PROMPT_MAX bytes pass Demo_check_prompt", "%s", ce);
        size_t n;
        char *out = Demo_format(&m, &n);
        size_t longest = 0;
        for (size_t i = 0, st = 0; out && i < n; i++)
            if (out[i] == '\n') { if (i - st > longest) longest = i - st; st = i + 1; }
        expect(out && longest == DEMO_LINE_MAX, "record: the longest prompt's line is DEMO_LINE_MAX bytes, no longer", "%zu", longest);
        free(out);
        /* all SW_MAX_B of them and DEMO_MAX_KEYS keys of the longest name: the file still fits DEMO_FILE_MAX */
        for (int i = 0; i < DEMO_MAX_KEYS; i++) Demo_add_key(&m, DK_BACKSPACE, 0);
        char mdir[] = "/tmp/sw_test_record_max_XXXXXX";
        if (mkdtemp(mdir)) {
            char mpath[300];
            snprintf(mpath, sizeof mpath, "%s/max.txt", mdir);
            char se[512] = "", le[512] = "";
            int src = Demo_save(&m, mpath, se, sizeof se);
            Demo back;
            Demo_init(&back);
            int lrc = src == 0 ? Demo_load(&back, mpath, le, sizeof le) : -1;
            int same = lrc == 0 && back.n_prompts == SW_MAX_B && back.n_keys == DEMO_MAX_KEYS;
            for (int i = 0; same && i < SW_MAX_B; i++) same = strcmp(back.prompts[i], p[i % 4]) == 0;
            expect(same, "record: 8 prompts of DEMO_PROMPT_MAX bytes and DEMO_MAX_KEYS keys: saved, loaded back the same", "save '%s' load '%s'", se, le);
            if (lrc == 0) Demo_free(&back);
            /* one byte more: refused when checked, and Demo_save writes nothing */
            free(m.prompts[0]);
            m.prompts[0] = malloc(DEMO_PROMPT_MAX + 2);
            memset(m.prompts[0], 'a', DEMO_PROMPT_MAX + 1);
            m.prompts[0][DEMO_PROMPT_MAX + 1] = 0;
            unlink(mpath);
            ce[0] = 0;
            int crc = Demo_check_prompt(m.prompts[0], ce, sizeof ce);
            src = Demo_save(&m, mpath, se, sizeof se);
            expect(crc != 0 && strstr(ce, "65537 bytes") && src != 0 && strstr(se, "prompt 1") && access(mpath, F_OK) != 0 && count_files(mdir) == 0,
                   "record: a prompt of DEMO_PROMPT_MAX + 1 bytes is refused, no file written", "'%s' / '%s'", ce, se);
            rmdir(mdir);
        } else {
            fail("record: a temporary folder for the longest demo", "%s", strerror(errno));
        }
        Demo_free(&m);
        for (int i = 0; i < 4; i++) free(p[i]);
    }

    /* ---- what a line cannot hold is refused before writing ---- */
    {
        char ce[256];
        expect(Demo_check_prompt("caf\xe9", ce, sizeof ce) != 0 && strstr(ce, "UTF-8"), "record: a prompt that is not UTF-8 is refused", "%s", ce);
        expect(Demo_check_prompt("a\xc2\x9b" "2J", ce, sizeof ce) != 0 && strstr(ce, "U+009B"), "record: a prompt with a C1 control is refused", "%s", ce);
        expect(Demo_check_prompt("", ce, sizeof ce) == 0 && Demo_check_prompt("tab\there \\x01 \x1b", ce, sizeof ce) == 0,
               "record: an empty prompt, tabs, backslashes and ASCII controls pass", "%s", ce);
        expect(Demo_check_model("stories260K", ce, sizeof ce) == 0 && Demo_check_model(" lead\ting", ce, sizeof ce) == 0, "record: a model name passes", "%s", ce);
        int bad = Demo_check_model("", ce, sizeof ce) != 0 && Demo_check_model("a ", ce, sizeof ce) != 0 && Demo_check_model("a\t", ce, sizeof ce) != 0 &&
                  Demo_check_model("a\nmodel x", ce, sizeof ce) != 0 && Demo_check_model("\xff", ce, sizeof ce) != 0;
        expect(bad, "record: a model name empty, ending in a space or tab, with a newline or not UTF-8 is refused", "%s", ce);
    }
    {
        /* more keys than DEMO_MAX_KEYS: refused, not grown without end */
        size_t n = 5 + (size_t)(DEMO_MAX_KEYS + 1) * 2;
        char *many = malloc(n + 1);
        memcpy(many, "keys\n", 5);
        for (size_t i = 5; i < n; i += 2) { many[i] = 'g'; many[i + 1] = '\n'; }
        refused("record: more keys than DEMO_MAX_KEYS", many, n, "more than", NULL);
        free(many);
    }
    {
        /* every byte value alone on a key line: parsed or refused, never a crash */
        int ok = 1;
        for (int b = 0; b < 256; b++) {
            char t[8] = "keys\n";
            t[5] = (char)b;
            t[6] = '\n';
            Demo d3;
            char e3[256] = "";
            int r = parse(&d3, t, 7, e3);
            if (r == 0) Demo_free(&d3);
            else if (!strstr(e3, "demo.txt")) ok = 0;
        }
        expect(ok, "record: every single byte as a key line is read or refused by name", " ");
    }

    /* ---- the example demo in docs/demos reads ---- */
    {
        Demo ex;
        char e4[512] = "";
        Demo_init(&ex);
        int r = Demo_load(&ex, "docs/demos/cat-and-dog.txt", e4, sizeof e4);
        expect(r == 0 && ex.n_prompts == 2 && strcmp(ex.prompts[1], "The dog sat on the mat") == 0 && ex.tour == 1 && ex.n_keys >= 10,
               "record: docs/demos/cat-and-dog.txt reads (two prompts, the tour, its keys)", "%s", e4);
        if (r == 0) Demo_free(&ex);
    }

    /* ---- files: load, the safe write ---- */
    char dir[] = "/tmp/sw_test_record_XXXXXX";
    if (!mkdtemp(dir)) { fail("record: a temporary folder", "%s", strerror(errno)); return check_done(); }
    char path[256], link_path[256], victim[256];
    snprintf(path, sizeof path, "%s/demo.txt", dir);
    snprintf(link_path, sizeof link_path, "%s/link.txt", dir);
    snprintf(victim, sizeof victim, "%s/victim.txt", dir);
    Demo w;
    Demo_init(&w);
    Demo_add_prompt(&w, "The cat sat on the mat");
    Demo_add_prompt(&w, "The dog sat on the mat");
    Demo_add_key(&w, DK_RIGHT, 0);
    Demo_add_key(&w, 'D', 0);
    w.tour = 1;
    rc = Demo_save(&w, path, err, sizeof err);
    expect(rc == 0, "record: saved to a new file", "%s", err);
    expect(count_files(dir) == 1, "record: no temporary file left beside it", "%d files", count_files(dir));
    Demo r;
    Demo_init(&r);
    rc = Demo_load(&r, path, err, sizeof err);
    expect(rc == 0 && r.n_prompts == 2 && r.n_keys == 2 && r.keys[1].code == 'D' && r.tour == 1, "record: loaded back", "%s", err);
    if (rc == 0) Demo_free(&r);
    rc = Demo_save(&w, path, err, sizeof err);
    expect(rc == 0, "record: saved over an existing demo", "%s", err);
    /* a symbolic link as the target is refused, and what it points at is untouched */
    FILE *f = fopen(victim, "w");
    if (f) { fputs("keep me\n", f); fclose(f); }
    if (symlink(victim, link_path) == 0) {
        rc = Demo_save(&w, link_path, err, sizeof err);
        char back[32] = "";
        f = fopen(victim, "r");
        if (f) { if (!fgets(back, sizeof back, f)) back[0] = 0; fclose(f); }
        expect(rc != 0 && strstr(err, "symbolic link") && strcmp(back, "keep me\n") == 0, "record: a symbolic link as the target is refused, its target untouched",
               "rc %d '%s' '%s'", rc, err, back);
        Demo_init(&r);
        rc = Demo_load(&r, link_path, err, sizeof err);
        expect(rc != 0 && strstr(err, "link.txt") && strstr(err, "line 1"), "record: reading a demo through a link still checks its text", "rc %d %s", rc, err);
        if (rc == 0) Demo_free(&r);
    } else {
        skip("record: symbolic link", "%s", strerror(errno));
    }
    rc = Demo_save(&w, dir, err, sizeof err);
    expect(rc != 0 && strstr(err, "not a regular file"), "record: a folder as the target is refused", "rc %d %s", rc, err);
    char nodir[300];
    snprintf(nodir, sizeof nodir, "%s/no/such/demo.txt", dir);
    rc = Demo_save(&w, nodir, err, sizeof err);
    expect(rc != 0 && strstr(err, "does not exist"), "record: a missing folder is refused", "rc %d %s", rc, err);
    Demo_init(&r);
    rc = Demo_load(&r, dir, err, sizeof err);
    expect(rc != 0 && strstr(err, "folder"), "record: loading a folder is refused", "rc %d %s", rc, err);
    if (rc == 0) Demo_free(&r);
    Demo_init(&r);
    rc = Demo_load(&r, nodir, err, sizeof err);
    expect(rc != 0 && strstr(err, "No such file"), "record: loading a missing file is refused", "rc %d %s", rc, err);
    char fifo[300];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    if (mkfifo(fifo, 0600) == 0) {
        Demo_init(&r);
        rc = Demo_load(&r, fifo, err, sizeof err);
        expect(rc != 0 && strstr(err, "not a regular file"), "record: a FIFO is refused without blocking", "rc %d %s", rc, err);
        unlink(fifo);
    }
    Demo_free(&w);
    unlink(path);
    unlink(link_path);
    unlink(victim);
    rmdir(dir);
    return check_done();
}
