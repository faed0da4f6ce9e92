// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap capture, sgcap verify, sgcap pattern: take captures from a card
 * and check them, check files of captures, write reference captures.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sgcap_tool.h"

/* Corrupt captures described one by one; the rest are only counted. */
#define SGCAP_MAX_REPORTS	10
/* Captures the verifier holds at once (fewer if the pool is small). */
#define SGCAP_VERIFY_HOLD	3

const char sgcap_help_capture[] =
	"usage: sgcap [-d DEV] capture -n N [-o FILE|-] [options]\n"
	"\n"
	"Configure the card, start it, dequeue N captures, verify each one (the\n"
	"pattern and CRC32C are recomputed here over the dma-buf, mapped\n"
	"read-only) and write them to FILE if asked, then stop the card.\n"
	"On a terminal one progress line is rewritten in place (captures, MB/s,\n"
	"drops, crc and pattern errors); otherwise a plain line is printed each\n"
	"second, or every --every captures. The last line is the summary:\n"
	"  summary: N captures, E errors (C crc, P pattern, F card), D dropped, ...\n"
	"Dropped frames (sequence gaps) are reported but are not errors.\n"
	"\n"
	"Options:\n"
	SGCAP_STREAM_HELP
	"  -o, --output FILE      write each capture's bytes to FILE, one after the\n"
	"                         other; '-' is stdout (messages then go to stderr)\n"
	"      --no-verify        do not check the captures\n"
	"      --every N          without a terminal, a progress line every N\n"
	"                         captures instead of every second\n"
	"\n"
	"ioctls: SGCAP_IOC_GET_CAPS, SGCAP_IOC_CONFIGURE, SGCAP_IOC_GET_CONFIG,\n"
	"SGCAP_IOC_GET_STATS, SGCAP_IOC_START, SGCAP_IOC_DEQUEUE (NONBLOCK, after\n"
	"poll), SGCAP_IOC_STOP; on each capture's dma-buf: mmap (read-only,\n"
	"shared), DMA_BUF_IOCTL_SYNC (START|READ, then END|READ), close.\n"
	"\n"
	"Exit status: 0 every capture intact, 1 a capture was corrupt or flagged\n"
	"by the card, 2 usage error, 3 device or system error.\n";

const char sgcap_help_verify[] =
	"usage: sgcap [-d DEV] verify -n N [options]\n"
	"       sgcap verify -i FILE [--size BYTES] [--transform T] [-n N]\n"
	"\n"
	"End-to-end check of a card: configure, start, dequeue N captures while\n"
	"holding a few at once, stop, and check, printing one line per check:\n"
	"  - every capture's bytes match the pattern of its sequence and the CRC32C\n"
	"    recomputed here matches the driver's (and the driver found no mismatch)\n"
	"  - sequences strictly increase; timestamps do not go backwards and fall\n"
	"    within the run\n"
	"  - bytes_used is the configured size and fits the dma-buf\n"
	"  - chunk counts are within the card's segment limit; buffer indexes within\n"
	"    the pool; captures held at the same time are in distinct buffers\n"
	"  - the counters moved by what was seen: dequeued by N, sequence gaps\n"
	"    covered by the drop counters, no DMA errors\n"
	"  - once everything is released, no buffer is held and streaming stopped\n"
	"\n"
	"With -i, check a file written by `sgcap capture -o` instead: records of\n"
	"--size bytes, each identified by its first word and compared with that\n"
	"sequence's pattern (-n N: the file must hold exactly N captures).\n"
	"\n"
	"Options:\n"
	SGCAP_STREAM_HELP
	"  -i, --input FILE       check FILE instead of the card ('-': stdin)\n"
	"\n"
	"ioctls: those of `sgcap capture`.\n"
	"\n"
	"Exit status: 0 every check passed, 1 a check failed, 2 usage error,\n"
	"3 device or system error.\n";

const char sgcap_help_pattern[] =
	"usage: sgcap pattern -n N [--size BYTES] [--first-seq S] [--transform T]\n"
	"                     [-o FILE]\n"
	"\n"
	"Write N reference captures, sequences S, S+1, ..., exactly as the simulated\n"
	"card and the driver produce them, to FILE or stdout. For testing consumers\n"
	"and `sgcap verify -i` without a card.\n"
	"\n"
	"  -n, --count N          captures to write (default 1)\n"
	"      --size BYTES       bytes per capture (default 640K)\n"
	"      --first-seq S      sequence of the first capture (default 0)\n"
	"      --transform T      none or swap16\n"
	"  -o, --output FILE      where to write (default stdout)\n"
	"  -h, --help             this text\n"
	"\n"
	"No ioctls; no card needed.\n";

enum {
	SGCAP_OPT_NO_VERIFY = SGCAP_OPT_FIRST_FREE,
	SGCAP_OPT_EVERY,
	SGCAP_OPT_FIRST_SEQ,
};

/**
 * struct sgcap_loop - a run of captures off a card
 * @card: the card
 * @s: what to capture
 * @p: running figures
 * @each: called for every capture, owns it (must release it); returns
 *	0 or an exit status that ends the run
 * @priv: for @each
 * @next_seq: the sequence expected next
 * @backwards: captures whose sequence did not increase
 * @before: counters before the start
 * @after: counters after the stop
 * @start_ns: CLOCK_MONOTONIC at the start
 * @end_ns: CLOCK_MONOTONIC after the last capture
 * @reports: corrupt captures described so far
 * @interrupted: SIGINT/SIGTERM ended the run
 */
struct sgcap_loop {
	struct sgcap_card *card;
	struct sgcap_stream *s;
	struct sgcap_progress *p;
	int (*each)(struct sgcap_loop *l, struct sgcap_capture *cap);
	void *priv;
	__u64 next_seq;
	__u64 backwards;
	struct sgcap_stats before;
	struct sgcap_stats after;
	__u64 start_ns;
	__u64 end_ns;
	unsigned int reports;
	unsigned int interrupted:1;
};

/* Verify @cap, count and describe what is wrong. Return: 0 or exit status. */
static int sgcap_loop_verify(struct sgcap_loop *l, struct sgcap_capture *cap,
			     struct sgcap_verify *res)
{
	if (!sgcap_capture_verify(cap, res))
		return 0;
	if (errno != EBADMSG) {
		sgcap_progress_clear(l->p);
		sgcap_err("%s: cannot read capture %llu: %s\n", l->p->what,
			  (unsigned long long)sgcap_capture_sequence(cap),
			  strerror(errno));
		return SGCAP_EXIT_ERROR;
	}
	sgcap_count_problems(l->p, res);
	if (l->reports++ < SGCAP_MAX_REPORTS) {
		sgcap_progress_clear(l->p);
		sgcap_describe_problems(l->p->out, l->p->what, cap, res);
	}
	return 0;
}

static int sgcap_loop_run(struct sgcap_loop *l)
{
	struct sgcap_progress *p = l->p;
	struct sgcap_capture *cap;
	const char *dev = sgcap_card_path(l->card);
	__u64 seq;
	int ret = 0;

	if (sgcap_card_get_stats(l->card, &l->before) < 0) {
		sgcap_err("%s: SGCAP_IOC_GET_STATS: %s\n", p->what,
			  strerror(errno));
		return SGCAP_EXIT_ERROR;
	}
	/* Before the start: the first capture may complete at once. */
	l->start_ns = sgcap_now_ns();
	if (sgcap_card_start(l->card) < 0) {
		sgcap_err("%s: cannot start %s (SGCAP_IOC_START): %s\n",
			  p->what, dev, strerror(errno));
		return SGCAP_EXIT_ERROR;
	}
	p->start_ns = l->start_ns;
	p->last_ns = l->start_ns;
	while ((!l->s->count || p->captures < l->s->count) && !ret) {
		if (atomic_load(&sgcap_stop)) {
			l->interrupted = 1;
			break;
		}
		cap = sgcap_card_dequeue(l->card, l->s->timeout_ms);
		if (!cap) {
			if (errno == EINTR)
				continue;
			sgcap_progress_clear(p);
			if (errno == ETIMEDOUT)
				sgcap_err("%s: no capture arrived within %d ms after %llu captures: the card stalled\n",
					  p->what, l->s->timeout_ms,
					  (unsigned long long)p->captures);
			else
				sgcap_err("%s: SGCAP_IOC_DEQUEUE on %s: %s\n",
					  p->what, dev, strerror(errno));
			ret = SGCAP_EXIT_ERROR;
			break;
		}
		seq = sgcap_capture_sequence(cap);
		if (seq >= l->next_seq)
			p->drops += seq - l->next_seq;
		else
			l->backwards++;
		l->next_seq = seq + 1;
		p->captures++;
		p->bytes += sgcap_capture_bytes_used(cap);
		ret = l->each(l, cap);
		sgcap_progress_update(p, 0);
	}
	l->end_ns = sgcap_now_ns();
	if (sgcap_card_stop(l->card) < 0 && !ret) {
		sgcap_err("%s: SGCAP_IOC_STOP: %s\n", p->what, strerror(errno));
		ret = SGCAP_EXIT_ERROR;
	}
	sgcap_progress_end(p);
	if (sgcap_card_get_stats(l->card, &l->after) < 0 && !ret) {
		sgcap_err("%s: SGCAP_IOC_GET_STATS: %s\n", p->what,
			  strerror(errno));
		ret = SGCAP_EXIT_ERROR;
	}
	return ret;
}

static void sgcap_loop_summary(struct sgcap_loop *l, const char *extra)
{
	struct sgcap_progress *p = l->p;
	__u64 ns = l->end_ns - l->start_ns;
	__u64 nobuf = l->after.drops_no_buffer - l->before.drops_no_buffer;
	__u64 inj = l->after.drops_injected - l->before.drops_injected;

	if (l->interrupted)
		fprintf(p->out, "%s: interrupted after %llu captures\n",
			p->what, (unsigned long long)p->captures);
	fprintf(p->out,
		"%s: %llu captures of %llu bytes from %s in %.2f s: %.1f MB/s, %.1f captures/s\n",
		p->what, (unsigned long long)p->captures,
		(unsigned long long)l->s->cfg.buffer_size,
		sgcap_card_path(l->card), sgcap_seconds(ns),
		sgcap_mb_per_s(p->bytes, ns),
		ns ? (double)p->captures * 1e9 / (double)ns : 0.0);
	fprintf(p->out,
		"%s: %llu frames missing from the sequence; the card counted %llu dropped for want of a buffer and %llu by fault injection\n",
		p->what, (unsigned long long)p->drops,
		(unsigned long long)nobuf, (unsigned long long)inj);
	if (extra)
		fprintf(p->out, "%s", extra);
	fprintf(p->out,
		"summary: %llu captures, %llu errors (%llu crc, %llu pattern, %llu card), %llu dropped, %llu bytes, %.1f MB/s\n",
		(unsigned long long)p->captures,
		(unsigned long long)sgcap_progress_errors(p),
		(unsigned long long)p->crc_errors,
		(unsigned long long)p->pattern_errors,
		(unsigned long long)p->card_errors,
		(unsigned long long)p->drops, (unsigned long long)p->bytes,
		sgcap_mb_per_s(p->bytes, ns));
	fflush(p->out);
}

/**
 * struct sgcap_capture_run - state of `sgcap capture`
 * @out_fd: where captures are written, -1 for nowhere
 * @output: its name, for messages
 * @verify: check each capture
 * @written: bytes written
 */
struct sgcap_capture_run {
	int out_fd;
	const char *output;
	unsigned int verify:1;
	__u64 written;
};

static int sgcap_capture_each(struct sgcap_loop *l, struct sgcap_capture *cap)
{
	struct sgcap_capture_run *run = l->priv;
	struct sgcap_verify res;
	const void *data;
	int ret = 0;

	if (run->verify)
		ret = sgcap_loop_verify(l, cap, &res);
	if (!ret && run->out_fd >= 0) {
		data = sgcap_capture_map(cap);
		if (!data) {
			sgcap_err("capture: cannot map capture %llu: %s\n",
				  (unsigned long long)sgcap_capture_sequence(cap),
				  strerror(errno));
			ret = SGCAP_EXIT_ERROR;
		} else if (sgcap_write_all(run->out_fd, data,
					   sgcap_capture_bytes_used(cap)) < 0) {
			sgcap_err("capture: writing %s: %s\n", run->output,
				  strerror(errno));
			ret = SGCAP_EXIT_ERROR;
		} else {
			run->written += sgcap_capture_bytes_used(cap);
		}
	}
	sgcap_capture_release(cap);
	return ret;
}

int sgcap_cmd_capture(const char *device, int argc, char **argv)
{
	static const struct option own[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "no-verify", no_argument, NULL, SGCAP_OPT_NO_VERIFY },
		{ "every", required_argument, NULL, SGCAP_OPT_EVERY },
		{ NULL, 0, NULL, 0 }
	};
	struct option opts[SGCAP_MAX_OPTIONS];
	struct sgcap_capture_run run = { .out_fd = -1, .verify = 1 };
	struct sgcap_progress prog;
	struct sgcap_stream s;
	struct sgcap_loop l;
	struct sgcap_card *card;
	char extra[512] = "";
	FILE *out = stdout;
	__u64 every = 0;
	int opt, ret;

	sgcap_stream_init(&s, 100);
	sgcap_stream_options(opts, own);
	while ((opt = getopt_long(argc, argv, "n:o:d:h", opts, NULL)) != -1) {
		ret = sgcap_stream_option(&s, opt, optarg);
		if (ret < 0)
			return SGCAP_EXIT_USAGE;
		if (ret)
			continue;
		switch (opt) {
		case 'd':
			device = optarg;
			break;
		case 'o':
			run.output = optarg;
			break;
		case SGCAP_OPT_NO_VERIFY:
			run.verify = 0;
			break;
		case SGCAP_OPT_EVERY:
			if (sgcap_parse_u64(optarg, "--every", ~0ULL, &every))
				return SGCAP_EXIT_USAGE;
			break;
		case 'h':
			fputs(sgcap_help_capture, stdout);
			return SGCAP_EXIT_OK;
		default:
			return sgcap_usage("capture", "bad option", NULL);
		}
	}
	if (optind < argc)
		return sgcap_usage("capture", "unexpected argument",
				   argv[optind]);
	if (!s.count)
		return sgcap_usage("capture", "-n must be at least 1", NULL);

	if (run.output && !strcmp(run.output, "-")) {
		run.out_fd = STDOUT_FILENO;
		run.output = "stdout";
		out = stderr;
	} else if (run.output) {
		run.out_fd = open(run.output,
				  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				  0644);
		if (run.out_fd < 0) {
			sgcap_err("capture: cannot create %s: %s\n",
				  run.output, strerror(errno));
			return SGCAP_EXIT_ERROR;
		}
	}

	ret = SGCAP_EXIT_ERROR;
	card = sgcap_open_card(device);
	if (!card)
		goto out_close_output;
	if (sgcap_setup_card(card, &s, out, "capture") < 0)
		goto out_close_card;

	sgcap_progress_init(&prog, out, "capture", s.count, every);
	memset(&l, 0, sizeof(l));
	l.card = card;
	l.s = &s;
	l.p = &prog;
	l.each = sgcap_capture_each;
	l.priv = &run;
	ret = sgcap_loop_run(&l);

	if (run.out_fd >= 0)
		snprintf(extra, sizeof(extra),
			 "capture: wrote %llu bytes to %s\n",
			 (unsigned long long)run.written, run.output);
	if (!run.verify)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			 "capture: captures not verified (--no-verify)\n");
	if (l.backwards)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			 "capture: %llu captures came with a sequence that did not increase\n",
			 (unsigned long long)l.backwards);
	sgcap_loop_summary(&l, extra);
	if (!ret && (sgcap_progress_errors(&prog) || l.backwards))
		ret = SGCAP_EXIT_BAD_DATA;
	if (!ret && l.interrupted)
		ret = SGCAP_EXIT_ERROR;
out_close_card:
	sgcap_card_close(card);
out_close_output:
	if (run.out_fd > STDOUT_FILENO && close(run.out_fd) < 0 && !ret) {
		sgcap_err("capture: closing %s: %s\n", run.output,
			  strerror(errno));
		ret = SGCAP_EXIT_ERROR;
	}
	return ret;
}

/**
 * struct sgcap_verify_run - state of `sgcap verify` on a card
 * @held: captures held at once, oldest first
 * @nheld: entries of @held in use
 * @hold: how many to hold
 * @max_segments: the card's segment limit
 * @last_ts: timestamp of the previous capture
 * @bad_size: captures whose bytes_used or dma-buf size was wrong
 * @bad_chunks: captures with a chunk count out of range
 * @bad_index: captures with a buffer index out of range
 * @shared: captures in a buffer that a held capture was in
 * @bad_time: captures with a timestamp out of order or out of the run
 */
struct sgcap_verify_run {
	struct sgcap_capture *held[SGCAP_VERIFY_HOLD];
	unsigned int nheld;
	unsigned int hold;
	unsigned int max_segments;
	__u64 last_ts;
	__u64 bad_size;
	__u64 bad_chunks;
	__u64 bad_index;
	__u64 shared;
	__u64 bad_time;
};

static int sgcap_verify_each(struct sgcap_loop *l, struct sgcap_capture *cap)
{
	struct sgcap_verify_run *v = l->priv;
	const struct sgcap_config *cfg = &l->s->cfg;
	__u64 ts = sgcap_capture_timestamp_ns(cap);
	struct sgcap_verify res;
	unsigned int i;
	__s64 size;
	int ret;

	ret = sgcap_loop_verify(l, cap, &res);
	if (ret) {
		sgcap_capture_release(cap);
		return ret;
	}
	size = sgcap_capture_size(cap);
	if (sgcap_capture_bytes_used(cap) != cfg->buffer_size || size < 0 ||
	    (__u64)size < sgcap_capture_bytes_used(cap))
		v->bad_size++;
	if (!sgcap_capture_chunk_count(cap) ||
	    sgcap_capture_chunk_count(cap) > v->max_segments)
		v->bad_chunks++;
	if (sgcap_capture_buffer_index(cap) >= cfg->buffer_count)
		v->bad_index++;
	if (ts < v->last_ts || ts < l->start_ns || ts > sgcap_now_ns())
		v->bad_time++;
	v->last_ts = ts;
	for (i = 0; i < v->nheld; i++)
		if (sgcap_capture_buffer_index(v->held[i]) ==
		    sgcap_capture_buffer_index(cap))
			v->shared++;
	/* Keep the newest captures so the card runs with buffers held. */
	if (v->nheld == v->hold) {
		sgcap_capture_release(v->held[0]);
		memmove(&v->held[0], &v->held[1],
			(v->nheld - 1) * sizeof(v->held[0]));
		v->nheld--;
	}
	if (v->hold)
		v->held[v->nheld++] = cap;
	else
		sgcap_capture_release(cap);
	return 0;
}

static unsigned int sgcap_check(FILE *out, int ok, unsigned int *failed,
				const char *text)
{
	fprintf(out, "verify: [%s] %s\n", ok ? "ok" : "FAIL", text);
	if (!ok)
		(*failed)++;
	return 1;
}

static int sgcap_verify_card(const char *device, struct sgcap_stream *s)
{
	struct sgcap_verify_run v;
	struct sgcap_progress prog;
	struct sgcap_card *card;
	struct sgcap_stats st;
	struct sgcap_caps caps;
	struct sgcap_loop l;
	unsigned int checks = 0, failed = 0, i;
	__u64 drops, deq, errs;
	char text[512];
	int ret, tries;

	card = sgcap_open_card(device);
	if (!card)
		return SGCAP_EXIT_ERROR;
	ret = SGCAP_EXIT_ERROR;
	if (sgcap_setup_card(card, s, stdout, "verify") < 0 ||
	    sgcap_card_get_caps(card, &caps) < 0)
		goto out_close;

	memset(&v, 0, sizeof(v));
	v.max_segments = caps.max_segments;
	v.hold = s->cfg.buffer_count > 1 ? s->cfg.buffer_count - 1 : 0;
	if (v.hold > SGCAP_VERIFY_HOLD)
		v.hold = SGCAP_VERIFY_HOLD;
	sgcap_progress_init(&prog, stdout, "verify", s->count, 0);
	memset(&l, 0, sizeof(l));
	l.card = card;
	l.s = s;
	l.p = &prog;
	l.each = sgcap_verify_each;
	l.priv = &v;
	ret = sgcap_loop_run(&l);
	for (i = 0; i < v.nheld; i++)
		sgcap_capture_release(v.held[i]);
	if (ret)
		goto out_close;
	sgcap_loop_summary(&l, NULL);

	snprintf(text, sizeof(text),
		 "%llu of %llu captures intact: pattern and CRC32C recomputed here match (%llu crc, %llu pattern errors, %llu flagged by the card)",
		 (unsigned long long)(prog.captures - sgcap_progress_errors(&prog)),
		 (unsigned long long)prog.captures,
		 (unsigned long long)prog.crc_errors,
		 (unsigned long long)prog.pattern_errors,
		 (unsigned long long)prog.card_errors);
	checks += sgcap_check(stdout, !sgcap_progress_errors(&prog) &&
			      prog.captures == s->count, &failed, text);
	snprintf(text, sizeof(text),
		 "sequences strictly increase (%llu did not; %llu frames missing)",
		 (unsigned long long)l.backwards,
		 (unsigned long long)prog.drops);
	checks += sgcap_check(stdout, !l.backwards, &failed, text);
	snprintf(text, sizeof(text), "timestamps are in order and within the run (%llu were not)",
		 (unsigned long long)v.bad_time);
	checks += sgcap_check(stdout, !v.bad_time, &failed, text);
	snprintf(text, sizeof(text), "bytes_used is %llu and fits the dma-buf (%llu captures off)",
		 (unsigned long long)s->cfg.buffer_size,
		 (unsigned long long)v.bad_size);
	checks += sgcap_check(stdout, !v.bad_size, &failed, text);
	snprintf(text, sizeof(text),
		 "chunk counts within 1..%u segments, buffer indexes within 0..%u (%llu, %llu off)",
		 caps.max_segments, s->cfg.buffer_count - 1,
		 (unsigned long long)v.bad_chunks,
		 (unsigned long long)v.bad_index);
	checks += sgcap_check(stdout, !v.bad_chunks && !v.bad_index, &failed,
			      text);
	snprintf(text, sizeof(text),
		 "captures held at the same time (up to %u) are in distinct buffers (%llu were not)",
		 v.hold + 1, (unsigned long long)v.shared);
	checks += sgcap_check(stdout, !v.shared, &failed, text);

	deq = l.after.dequeued - l.before.dequeued;
	drops = l.after.drops_no_buffer - l.before.drops_no_buffer +
		l.after.drops_injected - l.before.drops_injected;
	errs = l.after.errors - l.before.errors;
	snprintf(text, sizeof(text),
		 "counters: dequeued moved by %llu (want %llu), drops by %llu (sequence gaps %llu), errors by %llu",
		 (unsigned long long)deq, (unsigned long long)prog.captures,
		 (unsigned long long)drops, (unsigned long long)prog.drops,
		 (unsigned long long)errs);
	checks += sgcap_check(stdout, deq == prog.captures &&
			      drops >= prog.drops && !errs, &failed, text);

	/* The last dma-buf was closed above; its buffer goes back at once. */
	for (tries = 0; tries < 20; tries++) {
		if (sgcap_card_get_stats(card, &st) < 0) {
			sgcap_err("verify: SGCAP_IOC_GET_STATS: %s\n",
				  strerror(errno));
			goto out_close;
		}
		if (!st.buffers_held)
			break;
		sgcap_sleep_ms(50);
	}
	snprintf(text, sizeof(text),
		 "after release: %u buffers held, %u in the pool (want 0 and %u), streaming %u",
		 st.buffers_held, st.buffers_total, s->cfg.buffer_count,
		 st.streaming);
	checks += sgcap_check(stdout, !st.buffers_held && !st.streaming &&
			      st.buffers_total == s->cfg.buffer_count,
			      &failed, text);

	if (failed)
		printf("verify: %u of %u checks failed\n", failed, checks);
	else
		printf("verify: all %u checks passed\n", checks);
	ret = failed ? SGCAP_EXIT_BAD_DATA : SGCAP_EXIT_OK;
out_close:
	sgcap_card_close(card);
	return ret;
}

static int sgcap_read_full(int fd, void *buf, size_t len, size_t *got)
{
	char *p = buf;
	ssize_t n;

	*got = 0;
	while (*got < len) {
		n = read(fd, p + *got, len - *got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break;
		*got += (size_t)n;
	}
	return 0;
}

/* `sgcap verify -i FILE`: records of @size bytes, each its own pattern. */
static int sgcap_verify_file(const char *path, struct sgcap_stream *s,
			     int count_set)
{
	unsigned int transform = s->cfg.transform;
	__u64 size = s->cfg.buffer_size;
	__u64 records = 0, bad = 0, gaps = 0, first = 0, last = 0, seq;
	struct sgcap_verify res;
	int fd, ret = SGCAP_EXIT_OK;
	size_t got;
	void *buf;

	if (size < 8)
		return sgcap_usage("verify", "--size must be at least 8", NULL);
	buf = malloc(size);
	if (!buf) {
		sgcap_err("verify: no memory for %llu bytes\n",
			  (unsigned long long)size);
		return SGCAP_EXIT_ERROR;
	}
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) :
				 STDIN_FILENO;
	if (fd < 0) {
		sgcap_err("verify: cannot open %s: %s\n", path,
			  strerror(errno));
		free(buf);
		return SGCAP_EXIT_ERROR;
	}
	for (;;) {
		if (sgcap_read_full(fd, buf, size, &got) < 0) {
			sgcap_err("verify: reading %s: %s\n", path,
				  strerror(errno));
			ret = SGCAP_EXIT_ERROR;
			break;
		}
		if (!got)
			break;
		if (got < size) {
			fprintf(stdout,
				"verify: %s ends with %zu bytes, not a whole capture of %llu bytes\n",
				path, got, (unsigned long long)size);
			bad++;
			break;
		}
		sgcap_pattern_identify(buf, size, transform, &seq);
		if (!records)
			first = seq;
		else if (seq != last + 1)
			gaps++;
		last = seq;
		if (sgcap_verify_buffer(buf, size, seq, transform, &res) < 0) {
			if (bad < SGCAP_MAX_REPORTS)
				fprintf(stdout,
					"verify: capture %llu in %s (at byte %llu) has %llu bytes off the pattern, the first at offset %llu\n",
					(unsigned long long)records, path,
					(unsigned long long)(records * size),
					(unsigned long long)res.mismatches,
					(unsigned long long)res.first_bad);
			bad++;
		}
		records++;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	free(buf);
	if (ret)
		return ret;
	fprintf(stdout,
		"verify: %s holds %llu captures of %llu bytes (transform %s), sequences %llu..%llu with %llu gaps\n",
		path, (unsigned long long)records, (unsigned long long)size,
		sgcap_transform_name(transform), (unsigned long long)first,
		(unsigned long long)last, (unsigned long long)gaps);
	if (count_set && records != s->count) {
		printf("verify: [FAIL] expected %llu captures\n",
		       (unsigned long long)s->count);
		bad++;
	}
	printf("summary: %llu captures, %llu errors\n",
	       (unsigned long long)records, (unsigned long long)bad);
	return bad ? SGCAP_EXIT_BAD_DATA : SGCAP_EXIT_OK;
}

int sgcap_cmd_verify(const char *device, int argc, char **argv)
{
	static const struct option own[] = {
		{ "input", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 }
	};
	struct option opts[SGCAP_MAX_OPTIONS];
	const char *input = NULL;
	struct sgcap_stream s;
	int opt, ret, count_set = 0;

	sgcap_stream_init(&s, 100);
	sgcap_stream_options(opts, own);
	while ((opt = getopt_long(argc, argv, "n:i:d:h", opts, NULL)) != -1) {
		ret = sgcap_stream_option(&s, opt, optarg);
		if (ret < 0)
			return SGCAP_EXIT_USAGE;
		if (opt == 'n')
			count_set = 1;
		if (ret)
			continue;
		switch (opt) {
		case 'd':
			device = optarg;
			break;
		case 'i':
			input = optarg;
			break;
		case 'h':
			fputs(sgcap_help_verify, stdout);
			return SGCAP_EXIT_OK;
		default:
			return sgcap_usage("verify", "bad option", NULL);
		}
	}
	if (optind < argc)
		return sgcap_usage("verify", "unexpected argument",
				   argv[optind]);
	if (input)
		return sgcap_verify_file(input, &s, count_set);
	if (!s.count)
		return sgcap_usage("verify", "-n must be at least 1", NULL);
	return sgcap_verify_card(device, &s);
}

int sgcap_cmd_pattern(const char *device, int argc, char **argv)
{
	static const struct option own[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "first-seq", required_argument, NULL, SGCAP_OPT_FIRST_SEQ },
		{ NULL, 0, NULL, 0 }
	};
	struct option opts[SGCAP_MAX_OPTIONS];
	const char *output = NULL;
	struct sgcap_stream s;
	__u64 first = 0, i;
	int opt, ret, fd;
	void *buf;

	(void)device;
	sgcap_stream_init(&s, 1);
	sgcap_stream_options(opts, own);
	while ((opt = getopt_long(argc, argv, "n:o:d:h", opts, NULL)) != -1) {
		ret = sgcap_stream_option(&s, opt, optarg);
		if (ret < 0)
			return SGCAP_EXIT_USAGE;
		if (ret)
			continue;
		switch (opt) {
		case 'd':
			break;
		case 'o':
			output = optarg;
			break;
		case SGCAP_OPT_FIRST_SEQ:
			if (sgcap_parse_u64(optarg, "--first-seq", ~0ULL,
					    &first))
				return SGCAP_EXIT_USAGE;
			break;
		case 'h':
			fputs(sgcap_help_pattern, stdout);
			return SGCAP_EXIT_OK;
		default:
			return sgcap_usage("pattern", "bad option", NULL);
		}
	}
	if (optind < argc)
		return sgcap_usage("pattern", "unexpected argument",
				   argv[optind]);
	if (!s.cfg.buffer_size)
		return sgcap_usage("pattern", "--size must be at least 1",
				   NULL);
	buf = malloc(s.cfg.buffer_size);
	if (!buf) {
		sgcap_err("pattern: no memory for %llu bytes\n",
			  (unsigned long long)s.cfg.buffer_size);
		return SGCAP_EXIT_ERROR;
	}
	fd = STDOUT_FILENO;
	if (output && strcmp(output, "-")) {
		fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0644);
		if (fd < 0) {
			sgcap_err("pattern: cannot create %s: %s\n", output,
				  strerror(errno));
			free(buf);
			return SGCAP_EXIT_ERROR;
		}
	}
	ret = SGCAP_EXIT_OK;
	for (i = 0; i < s.count && !ret; i++) {
		sgcap_pattern_generate(buf, s.cfg.buffer_size, first + i,
				       s.cfg.transform);
		if (sgcap_write_all(fd, buf, s.cfg.buffer_size) < 0) {
			sgcap_err("pattern: write: %s\n", strerror(errno));
			ret = SGCAP_EXIT_ERROR;
		}
	}
	if (fd != STDOUT_FILENO && close(fd) < 0 && !ret) {
		sgcap_err("pattern: closing %s: %s\n", output,
			  strerror(errno));
		ret = SGCAP_EXIT_ERROR;
	}
	free(buf);
	return ret;
}
