# regua — the front door. `make` builds build/regua; `make test` runs every
# test; `make run` starts the demo; `make sanitize` runs the tests under
# ASan + UBSan; `make fuzz` builds the libFuzzer harnesses.
# Sources are discovered: any src/**/*.c joins libregua, any
# tests/unit/test_*.c becomes a test program, any fuzz/fuzz_*.c a fuzzer.

CC      ?= cc
BUILD   ?= build
SAN     ?=
OPT     ?= -O2
PKGS    := sqlite3 libmicrohttpd libcurl jansson libfyaml libsodium libqrencode libpng

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation -Wpointer-arith -Wvla
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lhpdf -lm -lpthread
CFLAGS_ALL = -Itests/support -std=c17 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(OPT) -g $(WARN) -Isrc $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(LDFLAGS)

ifneq ($(SAN),)
CFLAGS_ALL  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS_ALL += -fsanitize=address,undefined
endif

LIB_SRC  := $(shell find src -name '*.c' ! -path 'src/cli/main.c' | sort)
# generated sources (build/gen): docs/openapi.json, embedded for GET /v1/openapi.json
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/openapi_json.o
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(sort $(wildcard tests/support/*.c))
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/obj/%.o)
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))

.SECONDARY:
.PHONY: all deps run demo test browser unit e2e sanitize fuzz fuzz-smoke bench clean check-style check-compiles
all: $(BUILD)/regua

deps:
	@sh scripts/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/gen/openapi_json.c: docs/openapi.json scripts/embed.py
	@mkdir -p $(dir $@)
	@echo "GEN $@"
	@/usr/bin/python3 scripts/embed.py rg_openapi_json docs/openapi.json $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/libregua.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/regua: $(BUILD)/obj/src/cli/main.o $(BUILD)/libregua.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(TEST_SUPPORT_OBJ) $(BUILD)/libregua.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) $(shell pkg-config --libs cmocka 2>/dev/null)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(BUILD)/libregua.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

run: deps
	@$(MAKE) --no-print-directory $(BUILD)/regua
	./$(BUILD)/regua demo

demo: run

test: deps
	@$(MAKE) --no-print-directory $(BUILD)/regua $(UNIT_BIN) check-style check-compiles
	@sh tests/run.sh $(BUILD)

# The browser tests alone (tests/browser/run.js; `make test` runs them too).
browser: deps
	@$(MAKE) --no-print-directory $(BUILD)/regua
	@REGUA_BIN="$(CURDIR)/$(BUILD)/regua" node tests/browser/run.js

sanitize: deps
	@$(MAKE) --no-print-directory BUILD=build/san SAN=1 OPT=-O1 $(addprefix build/san/tests/,$(notdir $(UNIT_BIN))) build/san/regua
	@sh tests/run.sh build/san

check-style:
	@sh scripts/check-style.sh

# The fuzzers and benchmarks are built by other targets (clang, make bench);
# compiling them here too keeps an API change from breaking them unseen.
check-compiles:
	@for f in $(FUZZ_SRC) $(BENCH_SRC); do $(CC) $(CFLAGS_ALL) -fsyntax-only $$f || exit 1; done

bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/regua $(BENCH_BIN)

FUZZ_CC     ?= clang
FUZZ_FLAGS  := -std=c17 -D_DEFAULT_SOURCE -D_GNU_SOURCE -O1 -g -Isrc $(PKG_CFLAGS) \
               -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_BIN    := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_OBJ    := $(LIB_SRC:%.c=$(BUILD)/fuzzobj/%.o) $(BUILD)/fuzzobj/gen/openapi_json.o
fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
# the library once, instrumented for coverage; each harness links it
$(BUILD)/fuzzobj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "CC(fuzz) $<"
	@$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
$(BUILD)/fuzzobj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	@echo "CC(fuzz) $<"
	@$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
$(BUILD)/libregua-fuzz.a: $(FUZZ_OBJ)
	@rm -f $@
	@ar rcs $@ $^
$(BUILD)/fuzz/%: fuzz/%.c $(BUILD)/libregua-fuzz.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libregua-fuzz.a $(PKG_LIBS)

# Each fuzzer runs FUZZ_SECONDS (30 by default) from its seed corpus.
FUZZ_SECONDS ?= 30
fuzz-smoke: fuzz
	@sh scripts/fuzz-smoke.sh $(BUILD)/fuzz $(FUZZ_SECONDS)

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj $(BUILD)/fuzzobj -name '*.d' 2>/dev/null)
