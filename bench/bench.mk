# Benchmark (issue 5): `make bench` runs bench/run.sh against the release binary.
#   make bench            sizes 100k, 300k and 1M policies (as many receipts)
#   make bench QUICK=1    10k policies only (under a minute)
#   make bench SIZES="50000 200000"
# Results: a table on stdout and bench/results.csv. Never asserts times.

BENCH_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wconversion -Wshadow \
	-Wstrict-prototypes -Wvla -Werror -O2
BENCH_TOOLS := build/bench/gen build/bench/xmlpass build/bench/saxpass build/bench/csvpass build/bench/rtime

.PHONY: bench bench-tools
bench-tools: $(BENCH_TOOLS)

build/bench/gen: fixtures/gen/gen.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

build/bench/xmlpass: bench/xmlpass.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) $(shell $(PKG_CONFIG) --cflags libxml-2.0) -o $@ $< \
		$(shell $(PKG_CONFIG) --libs libxml-2.0)

build/bench/saxpass: bench/saxpass.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) $(shell $(PKG_CONFIG) --cflags libxml-2.0) -o $@ $< \
		$(shell $(PKG_CONFIG) --libs libxml-2.0)

build/bench/csvpass: bench/csvpass.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $< -lcsv

build/bench/rtime: bench/rtime.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

bench: bin/recon $(BENCH_TOOLS)
	QUICK='$(QUICK)' SIZES='$(SIZES)' bash bench/run.sh
