# libFuzzer harnesses (fuzz/), included by the root Makefile.
#   make fuzz-build          build every harness into build/fuzz/ with clang
#   make fuzz                build, then fuzz each for FUZZ_SECONDS (default 60) seconds
#   make fuzz FUZZ_TARGETS=mt940 FUZZ_SECONDS=600
# The library sources the harnesses reach (common, core, parsers) are compiled a
# third time here, with clang's coverage instrumentation, apart from the gcc
# builds in build/rel and build/asan. Seeds come from fixtures/ at run time
# (fuzz/run.sh); crashing inputs land in build/fuzz/artifacts/TARGET/.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FORMATS := camt052 camt053 camt054 mt940 wechat alipay unionpay bankcsv
FUZZ_TARGETS ?= $(FUZZ_FORMATS) container bankprofile
FUZZ_ALL := $(FUZZ_FORMATS) container bankprofile
FUZZ_BINS := $(addprefix build/fuzz/fuzz_,$(FUZZ_ALL))

# -O1 with frame pointers keeps sanitizer stacks readable; UBSan findings abort
# so that libFuzzer saves the input like any other crash.
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -I. $(PKG_CFLAGS) $(WARNINGS) -O1 -g \
	-fno-omit-frame-pointer $(FUZZ_SAN)
FUZZ_LIB_SRCS := $(wildcard common/*.c core/*.c parsers/*.c)
FUZZ_LIB_OBJS := $(patsubst %.c,build/fuzz/obj/%.o,$(FUZZ_LIB_SRCS))
FUZZ_HARNESS := build/fuzz/obj/fuzz/harness.o

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh $(FUZZ_TARGETS)

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

# One object of fuzz_parser.c per format, the format named at compile time. A
# static pattern rule, so make never tries it on other names (the .d files).
FUZZ_PARSER_OBJS := $(patsubst %,build/fuzz/obj/fuzz/parser_%.o,$(FUZZ_FORMATS))
$(FUZZ_PARSER_OBJS): build/fuzz/obj/fuzz/parser_%.o: fuzz/fuzz_parser.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -DFUZZ_FORMAT='"$*"' -MMD -MP \
		-MT $@ -c $< -o $@

build/fuzz/librecon_fuzz.a: $(FUZZ_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

build/fuzz/fuzz_container: build/fuzz/obj/fuzz/fuzz_container.o $(FUZZ_HARNESS) \
		build/fuzz/librecon_fuzz.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

build/fuzz/fuzz_bankprofile: build/fuzz/obj/fuzz/fuzz_bankprofile.o $(FUZZ_HARNESS) \
		build/fuzz/librecon_fuzz.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

$(patsubst %,build/fuzz/fuzz_%,$(FUZZ_FORMATS)): build/fuzz/fuzz_%: \
		build/fuzz/obj/fuzz/parser_%.o $(FUZZ_HARNESS) build/fuzz/librecon_fuzz.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

# Keep the per-format objects (intermediate files make would otherwise delete).
.SECONDARY: $(FUZZ_PARSER_OBJS)
