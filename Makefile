# shapewalk - step through a real language model's forward pass in a terminal.
#
#   make              build ./shapewalk
#   make test         unit, golden-number and tmux tests, then all again under ASan+UBSan
#   make check-layers no file includes from a layer above its own (also part of make test)
#   make docs         write docs/stations.md from engine/stations.c's table
#   make bench        print speed figures (bench/results.json)
#   make fuzz         run each libFuzzer target for FUZZ_SECONDS (clang)
#   make model NAME=gpt2   download a model into the data directory (models/fetch.sh)
#   make install PREFIX=/usr/local
#
# Sanitizer builds live in build-asan/ (make SAN=1 ...), normal ones in build/.

CC      ?= cc
PREFIX  ?= /usr/local
SHARED  ?= $(abspath $(CURDIR)/../shared)
PKGS    := openblas libcjson libpcre2-8 ncursesw

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ifeq ($(strip $(PKG_LIBS)),)
  PKG_LIBS := -lopenblas -lcjson -lpcre2-8 -lncursesw -ltinfo
  PKG_CFLAGS := -I/usr/include/x86_64-linux-gnu/openblas-pthread -I/usr/include/cjson
endif

WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CSTD    := -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE_EXTENDED
OPT     ?= -O2 -g
ifeq ($(SAN),1)
  BUILD := build-asan
  OPT   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
  SANLD := -fsanitize=address,undefined
else
  BUILD := build
  SANLD :=
endif
CFLAGS  += $(CSTD) $(OPT) $(WARN) $(PKG_CFLAGS) -I. -pthread
LDLIBS  += $(PKG_LIBS) -lm -pthread
LDFLAGS += $(SANLD)

# the layers, bottom up (docs/ARCHITECTURE.md; make check-layers checks the includes)
ENGINE_SRC := $(wildcard engine/*.c)
TERM_SRC   := $(wildcard term/*.c)
VIEWS_SRC  := $(wildcard views/*.c)
APP_SRC    := $(wildcard app/*.c)
TUI_SRC    := $(filter-out tui/main.c,$(wildcard tui/*.c))
LIB_SRC    := $(ENGINE_SRC) $(TERM_SRC) $(VIEWS_SRC) $(APP_SRC) $(TUI_SRC)
LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC   := $(wildcard tests/test_*.c)
TEST_BIN   := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
HDRS       := $(wildcard engine/*.h term/*.h views/*.h app/*.h tui/*.h tests/*.h)

.PHONY: all test test-build check check-layers docs bench fuzz install uninstall clean model screenshots
all: shapewalk

# objects rebuild when the flags change (make bench builds with -O3 -march=native)
FLAGS_STAMP := $(BUILD)/.cflags
$(FLAGS_STAMP): FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(CFLAGS)' | cmp -s - $@ || echo '$(CC) $(CFLAGS)' > $@
.PHONY: FORCE
FORCE:

$(BUILD)/%.o: %.c $(HDRS) Makefile $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libshapewalk.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/shapewalk: $(BUILD)/tui/main.o $(BUILD)/libshapewalk.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

shapewalk: $(BUILD)/shapewalk
ifneq ($(SAN),1)
	cp $< $@.tmp && mv -f $@.tmp $@
endif

$(BUILD)/tests/%: tests/%.c $(BUILD)/libshapewalk.a $(HDRS) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libshapewalk.a $(LDLIBS)

test-build: $(BUILD)/shapewalk $(TEST_BIN)

# The whole suite, twice: plain, then under AddressSanitizer + UBSan. One summary line.
test:
	@$(MAKE) --no-print-directory test-build
	@$(MAKE) --no-print-directory SAN=1 test-build
	@SHARED="$(SHARED)" sh tests/run.sh build build-asan

check: test

# the one-way rule engine -> term -> views -> app -> tui (tests/run.sh runs it too)
check-layers:
	@sh tests/check_layers.sh

# docs/stations.md from the station table (tests/test_stations_doc checks it is current)
docs: $(BUILD)/tests/test_stations_doc
	@mkdir -p docs
	$(BUILD)/tests/test_stations_doc --print > docs/stations.md.tmp && mv -f docs/stations.md.tmp docs/stations.md

bench:
	@$(MAKE) --no-print-directory OPT="-O3 -march=native -g" shapewalk
	@$(MAKE) --no-print-directory -C bench SHARED="$(SHARED)"

fuzz:
	@$(MAKE) --no-print-directory -C fuzz run

# NAME reaches fetch.sh through the environment, never through a shell command line or make's
# expansion ($(value ...) is the text as typed), so quotes, backticks and $(...) in it run
# nothing; fetch.sh refuses anything but a plain manifest name.
SW_FETCH_NAME := $(value NAME)
export SW_FETCH_NAME
unexport NAME
model:
	@sh models/fetch.sh --from-env

screenshots: shapewalk
	@sh screenshots/make.sh

install: shapewalk
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/shapewalk
	install -m 755 shapewalk $(DESTDIR)$(PREFIX)/bin/shapewalk
	install -m 644 shapewalk.1 $(DESTDIR)$(PREFIX)/share/man/man1/shapewalk.1
	install -m 755 models/fetch.sh $(DESTDIR)$(PREFIX)/share/shapewalk/fetch.sh
	install -m 644 models/manifest.tsv $(DESTDIR)$(PREFIX)/share/shapewalk/manifest.tsv

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/shapewalk $(DESTDIR)$(PREFIX)/share/man/man1/shapewalk.1
	rm -rf $(DESTDIR)$(PREFIX)/share/shapewalk

clean:
	rm -rf build build-asan shapewalk
	-@$(MAKE) --no-print-directory -C bench clean 2>/dev/null
	-@$(MAKE) --no-print-directory -C fuzz clean 2>/dev/null
