// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap tool: helpers shared by the commands.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sgcap_tool.h"

#define SGCAP_NS_PER_S		1000000000ULL
#define SGCAP_LIVE_PERIOD_NS	(SGCAP_NS_PER_S / 10)

atomic_bool sgcap_stop;

__u64 sgcap_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * SGCAP_NS_PER_S + (__u64)ts.tv_nsec;
}

void sgcap_sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	/* A signal ends the sleep early: the caller checks sgcap_stop. */
	nanosleep(&ts, NULL);
}

double sgcap_seconds(__u64 ns)
{
	return (double)ns / SGCAP_NS_PER_S;
}

/* Megabytes (10^6 bytes) per second, like dd and most throughput tools. */
double sgcap_mb_per_s(__u64 bytes, __u64 ns)
{
	return ns ? (double)bytes * 1000.0 / (double)ns : 0.0;
}

static void sgcap_on_signal(int sig)
{
	(void)sig;
	atomic_store(&sgcap_stop, 1);
}

/*
 * SIGINT and SIGTERM end the command's loop cleanly (summary, card
 * stopped); no SA_RESTART so poll() and friends return EINTR at once.
 * SIGPIPE is ignored: a closed pipe or socket shows up as EPIPE.
 */
void sgcap_signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sgcap_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int sgcap_usage(const char *cmd, const char *msg, const char *arg)
{
	if (arg)
		sgcap_err("%s: %s '%s'\n", cmd, msg, arg);
	else
		sgcap_err("%s: %s\n", cmd, msg);
	fprintf(stderr, "Try 'sgcap %s --help'.\n", cmd);
	return SGCAP_EXIT_USAGE;
}

/*
 * A decimal (or 0x hex) number with an optional binary suffix: K (2^10),
 * M (2^20), G (2^30), case-insensitive, "KiB" style accepted.
 */
int sgcap_parse_u64(const char *arg, const char *what, __u64 max, __u64 *val)
{
	unsigned long long v, mul = 1;
	char *end;

	errno = 0;
	if (!arg || !*arg || *arg == '-')
		goto err_invalid;
	v = strtoull(arg, &end, 0);
	if (errno)
		goto err_invalid;
	switch (*end) {
	case 'k':
	case 'K':
		mul = 1ULL << 10;
		break;
	case 'm':
	case 'M':
		mul = 1ULL << 20;
		break;
	case 'g':
	case 'G':
		mul = 1ULL << 30;
		break;
	case '\0':
		break;
	default:
		goto err_invalid;
	}
	if (mul > 1) {
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
	}
	if (*end)
		goto err_invalid;
	if (v > max / mul) {
		sgcap_err("%s '%s' is too large (at most %llu)\n", what, arg,
			  (unsigned long long)max);
		return -1;
	}
	*val = v * mul;
	return 0;

err_invalid:
	sgcap_err("%s '%s' is not a number\n", what, arg ? arg : "");
	return -1;
}

int sgcap_parse_uint(const char *arg, const char *what, unsigned int max,
		     unsigned int *val)
{
	__u64 v;

	if (sgcap_parse_u64(arg, what, max, &v) < 0)
		return -1;
	*val = (unsigned int)v;
	return 0;
}

void sgcap_stream_init(struct sgcap_stream *s, __u64 count)
{
	memset(s, 0, sizeof(*s));
	s->count = count;
	sgcap_config_init(&s->cfg);
	s->timeout_ms = SGCAP_DEFAULT_TIMEOUT_MS;
}

static const struct option sgcap_stream_longopts[] = {
	{ "count", required_argument, NULL, 'n' },
	{ "rate", required_argument, NULL, SGCAP_OPT_RATE },
	{ "order", required_argument, NULL, SGCAP_OPT_ORDER },
	{ "size", required_argument, NULL, SGCAP_OPT_SIZE },
	{ "buffers", required_argument, NULL, SGCAP_OPT_BUFFERS },
	{ "transform", required_argument, NULL, SGCAP_OPT_TRANSFORM },
	{ "timeout", required_argument, NULL, SGCAP_OPT_TIMEOUT },
	{ "device", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/*
 * The long options of a streaming command: those of struct sgcap_stream
 * followed by @own (terminated by a NULL name) into @dst, which has room
 * for SGCAP_MAX_OPTIONS.
 */
void sgcap_stream_options(struct option *dst, const struct option *own)
{
	size_t n = 0;

	while (sgcap_stream_longopts[n].name) {
		dst[n] = sgcap_stream_longopts[n];
		n++;
	}
	while (own->name && n < SGCAP_MAX_OPTIONS - 1)
		dst[n++] = *own++;
	memset(&dst[n], 0, sizeof(dst[n]));
}

/*
 * Handle one option of struct sgcap_stream. Return: 1 handled, 0 not a
 * stream option, -1 bad value (already reported).
 */
int sgcap_stream_option(struct sgcap_stream *s, int opt, const char *arg)
{
	unsigned int v;
	int t;

	switch (opt) {
	case 'n':
		return sgcap_parse_u64(arg, "capture count", ~0ULL,
				       &s->count) < 0 ? -1 : 1;
	case SGCAP_OPT_RATE:
		return sgcap_parse_uint(arg, "rate", UINT_MAX,
					&s->cfg.rate) < 0 ? -1 : 1;
	case SGCAP_OPT_ORDER:
		return sgcap_parse_uint(arg, "chunk order", 31,
					&s->cfg.chunk_order) < 0 ? -1 : 1;
	case SGCAP_OPT_SIZE:
		if (sgcap_parse_u64(arg, "capture size", ~0ULL,
				    &s->cfg.buffer_size) < 0)
			return -1;
		s->size_set = 1;
		return 1;
	case SGCAP_OPT_BUFFERS:
		return sgcap_parse_uint(arg, "buffer count", UINT_MAX,
					&s->cfg.buffer_count) < 0 ? -1 : 1;
	case SGCAP_OPT_TRANSFORM:
		t = sgcap_transform_from_name(arg);
		if (t < 0) {
			sgcap_err("unknown transform '%s' (none, swap16)\n",
				  arg);
			return -1;
		}
		s->cfg.transform = (unsigned int)t;
		return 1;
	case SGCAP_OPT_TIMEOUT:
		if (sgcap_parse_uint(arg, "timeout", INT_MAX, &v) < 0)
			return -1;
		s->timeout_ms = (int)v;
		return 1;
	default:
		return 0;
	}
}

/* Name the cards that do exist, for a person who mistyped one. */
static void sgcap_list_cards(void)
{
	struct dirent *de;
	int found = 0;
	DIR *dir;

	dir = opendir("/dev");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "sgcap", 5))
			continue;
		fprintf(stderr, "%s/dev/%s", found ? ", " : "sgcap: cards present: ",
			de->d_name);
		found++;
	}
	closedir(dir);
	if (found)
		fputc('\n', stderr);
	else
		sgcap_err("no sgcap card is present (is sgcap.ko loaded?)\n");
}

struct sgcap_card *sgcap_open_card(const char *device)
{
	struct sgcap_card *card;

	card = sgcap_card_open(device);
	if (card)
		return card;
	switch (errno) {
	case ENOENT:
		sgcap_err("cannot open %s: no such device node\n", device);
		sgcap_list_cards();
		break;
	case EACCES:
	case EPERM:
		sgcap_err("cannot open %s: permission denied (run as root or get access to the node)\n",
			  device);
		break;
	case ENOTTY:
	case EINVAL:
	case EISDIR:
		sgcap_err("%s is not an sgcap card (SGCAP_IOC_GET_CAPS: %s)\n",
			  device, strerror(errno));
		break;
	case ENODEV:
	case ENXIO:
		sgcap_err("cannot open %s: the card is gone (%s)\n", device,
			  strerror(errno));
		break;
	case EPROTO:
		sgcap_err("%s speaks an interface version this tool does not know\n",
			  device);
		break;
	default:
		sgcap_err("cannot open %s: %s\n", device, strerror(errno));
		break;
	}
	return NULL;
}

void sgcap_print_config(FILE *out, const char *prefix,
			const struct sgcap_config *cfg)
{
	fprintf(out,
		"%s%u buffers of %llu bytes (%.1f KiB), chunk order %u (%lu KiB chunks preferred), transform %s, ",
		prefix, cfg->buffer_count,
		(unsigned long long)cfg->buffer_size,
		(double)cfg->buffer_size / 1024.0, cfg->chunk_order,
		(sysconf(_SC_PAGESIZE) << cfg->chunk_order) / 1024,
		sgcap_transform_name(cfg->transform));
	if (cfg->rate)
		fprintf(out, "rate %u captures/s\n", cfg->rate);
	else
		fprintf(out, "rate 0 (as fast as the card can)\n");
}

/*
 * SGCAP_IOC_CONFIGURE with messages that say what to change, then
 * SGCAP_IOC_GET_CONFIG so the caller works with what is in force.
 */
int sgcap_setup_card(struct sgcap_card *card, struct sgcap_stream *s,
		     FILE *out, const char *what)
{
	const char *dev = sgcap_card_path(card);
	struct sgcap_caps caps;
	struct sgcap_config got;

	if (sgcap_card_get_caps(card, &caps) < 0) {
		sgcap_err("%s: SGCAP_IOC_GET_CAPS on %s: %s\n", what, dev,
			  strerror(errno));
		return -1;
	}
	if (s->cfg.transform == SGCAP_TRANSFORM_SWAP16 &&
	    !(caps.features & SGCAP_FEAT_TRANSFORM_SWAP16)) {
		sgcap_err("%s: %s cannot apply the swap16 transform\n", what,
			  dev);
		return -1;
	}
	if (sgcap_card_configure(card, &s->cfg) < 0) {
		int err = errno;

		sgcap_err("%s: cannot configure %s: %s\n", what, dev,
			  strerror(err));
		if (err == EBUSY)
			sgcap_err("another open file owns the card (the first to configure or start it keeps it until it closes the card), or captures of the previous configuration are still held\n");
		else if (err == EINVAL || err == E2BIG)
			sgcap_err("the card takes %u..%u buffers of 1..%llu bytes, chunk order 0..%u%s\n",
				  caps.min_buffers, caps.max_buffers,
				  (unsigned long long)caps.max_buffer_size,
				  caps.max_order,
				  caps.features & SGCAP_FEAT_RATE ? "" :
				  ", and no rate");
		else if (err == ENOMEM)
			sgcap_err("not enough memory for the pool: try fewer or smaller buffers\n");
		return -1;
	}
	if (sgcap_card_get_config(card, &got) < 0) {
		sgcap_err("%s: SGCAP_IOC_GET_CONFIG on %s: %s\n", what, dev,
			  strerror(errno));
		return -1;
	}
	s->cfg = got;
	fprintf(out, "%s: configured %s: ", what, dev);
	sgcap_print_config(out, "", &got);
	return 0;
}

/* /dev/sgcapN (or a link to it) -> N, the name of its debugfs directory. */
int sgcap_card_index(const char *device)
{
	char real[PATH_MAX];
	const char *base;
	char *end;
	long n;

	if (!realpath(device, real))
		return -1;
	base = strrchr(real, '/');
	base = base ? base + 1 : real;
	if (strncmp(base, "sgcap", 5) || !base[5])
		return -1;
	n = strtol(base + 5, &end, 10);
	if (*end || n < 0 || n > INT_MAX)
		return -1;
	return (int)n;
}

/* Read /sys/kernel/debug/sgcap/sgcapN/NAME into @buf; bytes or -1. */
int sgcap_debugfs_read(int index, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	size_t have = 0;
	ssize_t n;
	int fd;

	if (index < 0 || !len) {
		errno = ENOENT;
		return -1;
	}
	snprintf(path, sizeof(path), SGCAP_DEBUGFS "/sgcap%d/%s", index, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (have + 1 < len) {
		n = read(fd, buf + have, len - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	close(fd);
	buf[have] = '\0';
	return (int)have;
}

/* The line of debugfs `buffers` that describes buffer @buffer. */
int sgcap_debugfs_buffer_line(int index, unsigned int buffer, char *line,
			      size_t len)
{
	char text[16384];
	char *p, *nl, *end;

	if (sgcap_debugfs_read(index, "buffers", text, sizeof(text)) < 0)
		return -1;
	for (p = text; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (strtoul(p, &end, 10) == buffer && end != p &&
		    (*end == ' ' || *end == '\t' || *end == ':')) {
			snprintf(line, len, "%s", p);
			return 0;
		}
		if (!nl)
			break;
	}
	errno = ENOENT;
	return -1;
}

int sgcap_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void sgcap_progress_init(struct sgcap_progress *p, FILE *out,
			 const char *what, __u64 target, __u64 every)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->what = what;
	p->tty = isatty(fileno(out));
	p->every = every;
	p->target = target;
	p->start_ns = sgcap_now_ns();
	p->last_ns = p->start_ns;
}

__u64 sgcap_progress_errors(const struct sgcap_progress *p)
{
	return p->crc_errors + p->pattern_errors + p->card_errors +
	       p->other_errors;
}

static void sgcap_progress_line(struct sgcap_progress *p, __u64 now)
{
	FILE *o = p->out;

	fprintf(o, "%s: %llu", p->what, (unsigned long long)p->captures);
	if (p->target)
		fprintf(o, "/%llu", (unsigned long long)p->target);
	fprintf(o,
		" captures, %.1f MB, %.1f MB/s, %llu dropped, %llu crc errors, %llu pattern errors",
		(double)p->bytes / 1e6,
		sgcap_mb_per_s(p->bytes, now - p->start_ns),
		(unsigned long long)p->drops,
		(unsigned long long)p->crc_errors,
		(unsigned long long)p->pattern_errors);
	if (p->card_errors)
		fprintf(o, ", %llu flagged by the card",
			(unsigned long long)p->card_errors);
}

/*
 * On a terminal one line is rewritten in place ten times a second; into a
 * file or pipe a plain line goes out each second (or every @every
 * captures), so logs stay readable.
 */
void sgcap_progress_update(struct sgcap_progress *p, int force)
{
	__u64 now = sgcap_now_ns();

	if (p->tty) {
		if (!force && now - p->last_ns < SGCAP_LIVE_PERIOD_NS)
			return;
		fputc('\r', p->out);
		sgcap_progress_line(p, now);
		fputs("\033[K", p->out);
	} else {
		if (!force && p->every &&
		    p->captures - p->last_count < p->every)
			return;
		if (!force && !p->every && now - p->last_ns < SGCAP_NS_PER_S)
			return;
		sgcap_progress_line(p, now);
		fputc('\n', p->out);
	}
	fflush(p->out);
	p->last_ns = now;
	p->last_count = p->captures;
}

/* Make room for a message line in the middle of a live display. */
void sgcap_progress_clear(struct sgcap_progress *p)
{
	if (p->tty)
		fputs("\r\033[K", p->out);
}

void sgcap_progress_end(struct sgcap_progress *p)
{
	if (!p->tty)
		return;
	sgcap_progress_update(p, 1);
	fputc('\n', p->out);
	fflush(p->out);
}

void sgcap_count_problems(struct sgcap_progress *p,
			  const struct sgcap_verify *res)
{
	/* A capture the card flagged is one error, whatever its bytes. */
	if (res->problems & SGCAP_VERIFY_CARD_ERROR)
		p->card_errors++;
	else if (res->problems & SGCAP_VERIFY_CRC)
		p->crc_errors++;
	else if (res->problems & (SGCAP_VERIFY_PATTERN |
				  SGCAP_VERIFY_KERNEL_PATTERN))
		p->pattern_errors++;
	else if (res->problems)
		p->other_errors++;
}

void sgcap_describe_problems(FILE *out, const char *what,
			     const struct sgcap_capture *cap,
			     const struct sgcap_verify *res)
{
	fprintf(out, "%s: capture %llu (buffer %u) is not intact:", what,
		(unsigned long long)sgcap_capture_sequence(cap),
		sgcap_capture_buffer_index(cap));
	if (res->problems & SGCAP_VERIFY_CARD_ERROR)
		fprintf(out, " the card reported a DMA error;");
	if (res->problems & SGCAP_VERIFY_CRC)
		fprintf(out, " CRC32C 0x%08x here, 0x%08x from the driver;",
			res->crc32c, sgcap_capture_crc32c(cap));
	if (res->problems & SGCAP_VERIFY_PATTERN)
		fprintf(out,
			" %llu of %llu bytes differ from the pattern, the first at offset %llu;",
			(unsigned long long)res->mismatches,
			(unsigned long long)res->checked,
			(unsigned long long)res->first_bad);
	if (res->problems & SGCAP_VERIFY_KERNEL_PATTERN)
		fprintf(out, " the driver counted %llu bytes off the pattern;",
			(unsigned long long)sgcap_capture_mismatches(cap));
	if (res->problems & SGCAP_VERIFY_SHORT)
		fprintf(out, " the dma-buf is smaller than its %llu bytes;",
			(unsigned long long)sgcap_capture_bytes_used(cap));
	fputc('\n', out);
}
