/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sgcap tool: what the commands share (option parsing of a capture stream,
 * opening and configuring a card with messages a person can act on, the
 * progress display, debugfs look-ups, signals).
 */
#ifndef SGCAP_TOOL_H
#define SGCAP_TOOL_H

#include <getopt.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sgcap.h>

/* Exit statuses of every command. */
#define SGCAP_EXIT_OK		0
#define SGCAP_EXIT_BAD_DATA	1	/* a capture or a check failed */
#define SGCAP_EXIT_USAGE	2	/* bad command line */
#define SGCAP_EXIT_ERROR	3	/* the card, a device or the system failed */
#define SGCAP_EXIT_SKIP		77	/* the device a command needs is absent */

#define SGCAP_DEFAULT_TIMEOUT_MS	5000
#define SGCAP_DEBUGFS			"/sys/kernel/debug/sgcap"

/* Errors go to stderr, prefixed, always. */
#define sgcap_err(fmt, ...) fprintf(stderr, "sgcap: " fmt, ##__VA_ARGS__)

/* Set by SIGINT/SIGTERM: commands finish cleanly and print their summary. */
extern atomic_bool sgcap_stop;

/**
 * struct sgcap_stream - what a command captures: -n and the configuration
 * @count: captures to take (-n), 0: until interrupted where allowed
 * @cfg: the configuration to set
 * @timeout_ms: longest wait for one capture
 * @size_set: --size was given
 */
struct sgcap_stream {
	__u64 count;
	struct sgcap_config cfg;
	int timeout_ms;
	unsigned int size_set:1;
};

/* Long-only options of struct sgcap_stream; their values start here. */
enum {
	SGCAP_OPT_RATE = 0x100,
	SGCAP_OPT_ORDER,
	SGCAP_OPT_SIZE,
	SGCAP_OPT_BUFFERS,
	SGCAP_OPT_TRANSFORM,
	SGCAP_OPT_TIMEOUT,
	SGCAP_OPT_FIRST_FREE,	/* commands number their own from here */
};

/* Room for the stream options, a command's own ones and the terminator. */
#define SGCAP_MAX_OPTIONS	32

#define SGCAP_STREAM_HELP						\
	"  -n, --count N          captures to take\n"			\
	"      --rate R           captures per second the card produces\n"	\
	"                         (0, the default: as fast as it can; it then\n" \
	"                         waits for a free buffer instead of dropping)\n" \
	"      --order K          preferred chunk order: chunks of 2^K pages\n" \
	"                         (default 1)\n"				\
	"      --size BYTES       bytes per capture, K and M suffixes allowed\n" \
	"                         (default 640K = 655360)\n"		\
	"      --buffers N        buffers in the card's pool (default 8)\n"	\
	"      --transform T      none or swap16 (swap the bytes of each\n"	\
	"                         16-bit word in the driver)\n"		\
	"      --timeout MS       longest wait for one capture (default 5000)\n" \
	"  -d, --device DEV       the card (default /dev/sgcap0)\n"	\
	"  -h, --help             this text\n"

/**
 * struct sgcap_progress - the running figures of a stream and their display
 * @out: where progress and summary go (stdout, stderr when data goes there)
 * @what: the command's name, the prefix of every line
 * @tty: @out is a terminal: one live line rewritten with \r
 * @every: without a terminal, a line every @every captures (0: each second)
 * @target: captures planned, 0 if open-ended
 * @start_ns: when the stream started
 * @last_ns: when the last line was printed
 * @last_count: @captures at the last line
 * @captures: captures taken
 * @bytes: bytes of capture data taken
 * @drops: frames missing from the sequence numbers
 * @crc_errors: captures whose CRC32C differed from the card's
 * @pattern_errors: captures whose bytes differed from the pattern
 * @card_errors: captures the card flagged with SGCAP_CAPTURE_ERROR
 * @other_errors: captures failing another check
 */
struct sgcap_progress {
	FILE *out;
	const char *what;
	unsigned int tty:1;
	__u64 every;
	__u64 target;
	__u64 start_ns;
	__u64 last_ns;
	__u64 last_count;
	__u64 captures;
	__u64 bytes;
	__u64 drops;
	__u64 crc_errors;
	__u64 pattern_errors;
	__u64 card_errors;
	__u64 other_errors;
};

/* Commands: argv[0] is the command's name. */
int sgcap_cmd_info(const char *device, int argc, char **argv);
int sgcap_cmd_stats(const char *device, int argc, char **argv);
int sgcap_cmd_capture(const char *device, int argc, char **argv);
int sgcap_cmd_verify(const char *device, int argc, char **argv);
int sgcap_cmd_pattern(const char *device, int argc, char **argv);
int sgcap_cmd_serve(const char *device, int argc, char **argv);
int sgcap_cmd_consume(const char *device, int argc, char **argv);
int sgcap_cmd_gpu_import(const char *device, int argc, char **argv);
int sgcap_cmd_v4l2_out(const char *device, int argc, char **argv);

extern const char sgcap_help_info[];
extern const char sgcap_help_stats[];
extern const char sgcap_help_capture[];
extern const char sgcap_help_verify[];
extern const char sgcap_help_pattern[];
extern const char sgcap_help_serve[];
extern const char sgcap_help_consume[];
extern const char sgcap_help_gpu_import[];
extern const char sgcap_help_v4l2_out[];

/* Helpers. */
__u64 sgcap_now_ns(void);
void sgcap_sleep_ms(unsigned int ms);
void sgcap_signals_init(void);
int sgcap_parse_u64(const char *arg, const char *what, __u64 max, __u64 *val);
int sgcap_parse_uint(const char *arg, const char *what, unsigned int max,
		     unsigned int *val);
int sgcap_usage(const char *cmd, const char *msg, const char *arg);
void sgcap_progress_clear(struct sgcap_progress *p);
void sgcap_stream_init(struct sgcap_stream *s, __u64 count);
void sgcap_stream_options(struct option *dst, const struct option *own);
int sgcap_stream_option(struct sgcap_stream *s, int opt, const char *arg);
struct sgcap_card *sgcap_open_card(const char *device);
int sgcap_setup_card(struct sgcap_card *card, struct sgcap_stream *s,
		     FILE *out, const char *what);
void sgcap_print_config(FILE *out, const char *prefix,
			const struct sgcap_config *cfg);
int sgcap_card_index(const char *device);
int sgcap_debugfs_read(int index, const char *name, char *buf, size_t len);
int sgcap_debugfs_buffer_line(int index, unsigned int buffer, char *line,
			      size_t len);
double sgcap_mb_per_s(__u64 bytes, __u64 ns);
double sgcap_seconds(__u64 ns);
void sgcap_describe_problems(FILE *out, const char *what,
			     const struct sgcap_capture *cap,
			     const struct sgcap_verify *res);
void sgcap_count_problems(struct sgcap_progress *p,
			  const struct sgcap_verify *res);
int sgcap_write_all(int fd, const void *buf, size_t len);

void sgcap_progress_init(struct sgcap_progress *p, FILE *out,
			 const char *what, __u64 target, __u64 every);
void sgcap_progress_update(struct sgcap_progress *p, int force);
void sgcap_progress_end(struct sgcap_progress *p);
__u64 sgcap_progress_errors(const struct sgcap_progress *p);

#endif /* SGCAP_TOOL_H */
