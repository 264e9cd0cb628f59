# recon: `make` builds bin/recon; `make test` builds with sanitizers and runs every
# test against a throwaway PostgreSQL cluster; `make run` runs the demo;
# `make install` (PREFIX, DESTDIR) installs the binary, man page and systemd units.
# Sources are discovered by directory, so a new module needs no edit here.

CC ?= cc
PKG_CONFIG ?= pkg-config

# Package check runs once per make invocation, before anything compiles.
ifeq ($(filter clean deps uninstall,$(MAKECMDGOALS)),)
DEPS_STATUS := $(shell sh scripts/deps.sh >&2; echo $$?)
ifneq ($(DEPS_STATUS),0)
$(error missing build dependencies (see above))
endif
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpq libxml-2.0 zlib minizip libcrypto xlsxwriter libdeflate 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs libpq libxml-2.0 zlib minizip libcrypto xlsxwriter libdeflate 2>/dev/null) -lcsv
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

WARNINGS := -Wall -Wextra -Wconversion -Wshadow -Wstrict-prototypes -Wvla
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -I. -Ibuild/gen $(PKG_CFLAGS) $(WARNINGS)

REL_CFLAGS := $(BASE_CFLAGS) -O2 -g
ASAN_CFLAGS := $(BASE_CFLAGS) -Werror -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined
ASAN_LDFLAGS := -fsanitize=address,undefined

LIB_DIRS := common core parsers db store reports jobs
LIB_SRCS := $(filter-out jobs/main.c,$(wildcard $(addsuffix /*.c,$(LIB_DIRS))))
GEN_SRCS := build/gen/schema_sql.c build/gen/sql_text.c
TEST_SRCS := $(wildcard tests/*/test_*.c)
TEST_SUPPORT := $(wildcard tests/support/*.c)
SCHEMA := $(sort $(wildcard schema/*.sql))
SQL := $(sort $(wildcard sql/*.sql))
# A removed schema or sql file changes no timestamp; the list of them is a
# prerequisite too, rewritten only when it changes.
EMBED_LIST := $(shell mkdir -p build/gen && echo '$(SCHEMA) $(SQL)' > build/gen/embedded.new && \
	{ cmp -s build/gen/embedded.new build/gen/embedded.list || mv build/gen/embedded.new build/gen/embedded.list; } && \
	echo build/gen/embedded.list)

REL_OBJS := $(patsubst %.c,build/rel/%.o,$(LIB_SRCS) $(GEN_SRCS))
ASAN_OBJS := $(patsubst %.c,build/asan/%.o,$(LIB_SRCS) $(GEN_SRCS))
ASAN_SUPPORT_OBJS := $(patsubst %.c,build/asan/%.o,$(TEST_SUPPORT))
TEST_BINS := $(patsubst %.c,build/asan/%,$(TEST_SRCS))

.PHONY: all run test test-build clean deps memcheck install uninstall
all: bin/recon

deps:
	sh scripts/deps.sh

build/gen/schema_sql.c: $(SCHEMA) scripts/embed_schema.sh $(EMBED_LIST)
	@mkdir -p $(dir $@)
	sh scripts/embed_schema.sh $(SCHEMA) > $@.tmp && mv $@.tmp $@

# Queries longer than a line live in sql/NAME.sql, embedded as sql_NAME (build/gen/sql_text.h).
build/gen/sql_text.h: $(SQL) scripts/embed_sql.sh $(EMBED_LIST)
	@mkdir -p $(dir $@)
	sh scripts/embed_sql.sh header $(SQL) > $@.tmp && mv $@.tmp $@

build/gen/sql_text.c: $(SQL) scripts/embed_sql.sh build/gen/sql_text.h
	@mkdir -p $(dir $@)
	sh scripts/embed_sql.sh source $(SQL) > $@.tmp && mv $@.tmp $@

build/rel/%.o: %.c | build/gen/sql_text.h
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -MMD -MP -c $< -o $@

build/asan/%.o: %.c | build/gen/sql_text.h
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -MMD -MP -c $< -o $@

build/rel/librecon.a: $(REL_OBJS)
	rm -f $@ && ar rcs $@ $^ # anew: a removed source must leave the archive too

build/asan/librecon.a: $(ASAN_OBJS)
	rm -f $@ && ar rcs $@ $^ # anew: a removed source must leave the archive too

bin/recon: build/rel/jobs/main.o build/rel/librecon.a
	@mkdir -p bin
	$(CC) -o $@ $^ $(PKG_LIBS)

build/asan/recon: build/asan/jobs/main.o build/asan/librecon.a
	$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(PKG_LIBS)

build/asan/tests/%: build/asan/tests/%.o $(ASAN_SUPPORT_OBJS) build/asan/librecon.a
	$(CC) $(ASAN_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS)

test-build: build/asan/recon $(TEST_BINS)

test: test-build
	bash tests/run.sh build/asan

run: bin/recon
	./bin/recon demo

# valgrind --leak-check=full over the whole demo (a few minutes).
memcheck: bin/recon
	bash scripts/memcheck.sh

clean:
	rm -rf build bin

# Install layout. Units, sysusers.d and tmpfiles.d go under $(PREFIX)/lib, which
# systemd searches for /usr and /usr/local alike; the units name the installed
# binary, so they are written with BINDIR substituted. The environment file the
# service reads, /etc/recon/recon.env, is the administrator's: only an example
# is installed, and nothing under /etc is touched.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR := $(PREFIX)/bin
MANDIR := $(PREFIX)/share/man
DOCDIR := $(PREFIX)/share/doc/recon
UNITDIR := $(PREFIX)/lib/systemd/system
SYSUSERSDIR := $(PREFIX)/lib/sysusers.d
TMPFILESDIR := $(PREFIX)/lib/tmpfiles.d
INSTALL ?= install

install: bin/recon
	$(INSTALL) -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR)
	$(INSTALL) -m 0755 bin/recon $(DESTDIR)$(BINDIR)/recon
	$(INSTALL) -m 0644 dist/recon.1 $(DESTDIR)$(MANDIR)/man1/recon.1
	sed 's|@BINDIR@|$(BINDIR)|g' dist/recon-nightly.service.in > $(DESTDIR)$(UNITDIR)/.recon-nightly.service.tmp
	$(INSTALL) -m 0644 $(DESTDIR)$(UNITDIR)/.recon-nightly.service.tmp $(DESTDIR)$(UNITDIR)/recon-nightly.service
	rm -f $(DESTDIR)$(UNITDIR)/.recon-nightly.service.tmp
	$(INSTALL) -m 0644 dist/recon-nightly.timer $(DESTDIR)$(UNITDIR)/recon-nightly.timer
	$(INSTALL) -m 0644 dist/recon.sysusers $(DESTDIR)$(SYSUSERSDIR)/recon.conf
	$(INSTALL) -m 0644 dist/recon.tmpfiles $(DESTDIR)$(TMPFILESDIR)/recon.conf
	$(INSTALL) -m 0644 dist/recon.env.example $(DESTDIR)$(DOCDIR)/recon.env.example
	@echo "recon: installed under $(DESTDIR)$(PREFIX); to schedule it, see recon(1), EXAMPLES"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/recon $(DESTDIR)$(MANDIR)/man1/recon.1 \
		$(DESTDIR)$(UNITDIR)/recon-nightly.service $(DESTDIR)$(UNITDIR)/recon-nightly.timer \
		$(DESTDIR)$(SYSUSERSDIR)/recon.conf $(DESTDIR)$(TMPFILESDIR)/recon.conf \
		$(DESTDIR)$(DOCDIR)/recon.env.example
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null

# Benchmark and fuzzing targets live beside their sources.
-include bench/bench.mk
-include fuzz/fuzz.mk

-include $(shell find build -name '*.d' 2>/dev/null)
