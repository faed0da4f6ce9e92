// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap info, sgcap stats: read-only views of a card. Any process may run
 * them while another owns the card.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "sgcap_tool.h"

const char sgcap_help_info[] =
	"usage: sgcap [-d DEV] info\n"
	"\n"
	"Show what the card is and can do, the configuration in force, its counters\n"
	"and where each buffer is (from debugfs, when mounted and readable).\n"
	"Does not change anything and works while another process owns the card.\n"
	"\n"
	"  -d, --device DEV   the card (default /dev/sgcap0)\n"
	"  -h, --help         this text\n"
	"\n"
	"ioctls: SGCAP_IOC_GET_CAPS, SGCAP_IOC_GET_CONFIG, SGCAP_IOC_GET_STATS;\n"
	"reads /sys/kernel/debug/sgcap/sgcapN/buffers and sysfs.\n";

const char sgcap_help_stats[] =
	"usage: sgcap [-d DEV] stats\n"
	"\n"
	"Print the card's counters and buffer states, one \"key value\" line each,\n"
	"the same keys as /sys/kernel/debug/sgcap/sgcapN/stats.\n"
	"\n"
	"  -d, --device DEV   the card (default /dev/sgcap0)\n"
	"  -h, --help         this text\n"
	"\n"
	"ioctls: SGCAP_IOC_GET_STATS.\n";

/* Parse the options of a command that has only -d and -h. */
static int sgcap_simple_options(const char *name, const char *help,
				const char **device, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			*device = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return 1;
		default:
			return sgcap_usage(name, "bad option", NULL);
		}
	}
	if (optind < argc)
		return sgcap_usage(name, "unexpected argument", argv[optind]);
	return 0;
}

static void sgcap_print_features(__u64 f)
{
	printf("  features:");
	if (f & SGCAP_FEAT_CRC32C)
		printf(" crc32c");
	if (f & SGCAP_FEAT_PATTERN)
		printf(" pattern-check");
	if (f & SGCAP_FEAT_TRANSFORM_SWAP16)
		printf(" swap16");
	if (f & SGCAP_FEAT_RATE)
		printf(" rate");
	if (f & ~(SGCAP_FEAT_CRC32C | SGCAP_FEAT_PATTERN |
		  SGCAP_FEAT_TRANSFORM_SWAP16 | SGCAP_FEAT_RATE))
		printf(" (unknown bits 0x%llx)", (unsigned long long)f);
	printf("\n");
}

/* The device the card's node belongs to: /sys/class/misc/sgcapN/device. */
static void sgcap_print_parent(int index)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	if (index < 0)
		return;
	snprintf(link, sizeof(link), "/sys/class/misc/sgcap%d/device", index);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	printf("  device: %s\n", base ? base + 1 : target);
}

static void sgcap_print_stats(const struct sgcap_stats *st)
{
	printf("counters:\n");
	printf("  %llu captures completed, %llu dequeued, %llu bytes\n",
	       (unsigned long long)st->captures,
	       (unsigned long long)st->dequeued,
	       (unsigned long long)st->bytes);
	printf("  %llu frames dropped: %llu for want of a free buffer, %llu by fault injection\n",
	       (unsigned long long)(st->drops_no_buffer + st->drops_injected),
	       (unsigned long long)st->drops_no_buffer,
	       (unsigned long long)st->drops_injected);
	printf("  %llu captures with a DMA error\n",
	       (unsigned long long)st->errors);
	fprintf(stdout,
		"buffers: %u in the pool: %u free, %u with the card, %u ready to dequeue, %u held by dma-buf users; %s\n",
		st->buffers_total, st->buffers_free, st->buffers_card,
		st->buffers_ready, st->buffers_held,
		st->streaming ? "streaming" : "not streaming");
}

int sgcap_cmd_info(const char *device, int argc, char **argv)
{
	struct sgcap_card *card;
	struct sgcap_config cfg;
	struct sgcap_stats st;
	struct sgcap_caps caps;
	char text[16384];
	int index, ret;

	ret = sgcap_simple_options("info", sgcap_help_info, &device, argc,
				   argv);
	if (ret)
		return ret == 1 ? SGCAP_EXIT_OK : ret;
	card = sgcap_open_card(device);
	if (!card)
		return SGCAP_EXIT_ERROR;
	ret = SGCAP_EXIT_ERROR;
	if (sgcap_card_get_caps(card, &caps) < 0) {
		sgcap_err("SGCAP_IOC_GET_CAPS: %s\n", strerror(errno));
		goto out_close;
	}
	index = sgcap_card_index(device);
	printf("%s: %s, interface version %u\n", device,
	       sgcap_backend_name(caps.backend), caps.version);
	sgcap_print_parent(index);
	sgcap_print_features(caps.features);
	printf("  takes %u..%u buffers of up to %llu bytes, chunk order 0..%u\n",
	       caps.min_buffers, caps.max_buffers,
	       (unsigned long long)caps.max_buffer_size, caps.max_order);
	printf("  DMA: at most %u segments of at most %u bytes per buffer\n",
	       caps.max_segments, caps.max_segment_size);

	if (sgcap_card_get_config(card, &cfg) < 0)
		printf("configuration: none read (SGCAP_IOC_GET_CONFIG: %s)\n",
		       strerror(errno));
	else if (!cfg.buffer_count)
		printf("configuration: none yet (no process configured the card)\n");
	else
		sgcap_print_config(stdout, "configuration: ", &cfg);

	if (sgcap_card_get_stats(card, &st) < 0) {
		sgcap_err("SGCAP_IOC_GET_STATS: %s\n", strerror(errno));
		goto out_close;
	}
	sgcap_print_stats(&st);

	if (sgcap_debugfs_read(index, "buffers", text, sizeof(text)) >= 0) {
		char *line, *save = NULL;

		printf("buffer states (%s/sgcap%d/buffers):%s\n",
		       SGCAP_DEBUGFS, index, text[0] ? "" : " no buffers");
		for (line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			printf("  %s\n", line);
	} else {
		printf("buffer states: debugfs not readable (%s/sgcap%d/buffers: %s)\n",
		       SGCAP_DEBUGFS, index, strerror(errno));
	}
	ret = SGCAP_EXIT_OK;
out_close:
	sgcap_card_close(card);
	return ret;
}

int sgcap_cmd_stats(const char *device, int argc, char **argv)
{
	struct sgcap_card *card;
	struct sgcap_stats st;
	int ret;

	ret = sgcap_simple_options("stats", sgcap_help_stats, &device, argc,
				   argv);
	if (ret)
		return ret == 1 ? SGCAP_EXIT_OK : ret;
	card = sgcap_open_card(device);
	if (!card)
		return SGCAP_EXIT_ERROR;
	if (sgcap_card_get_stats(card, &st) < 0) {
		sgcap_err("SGCAP_IOC_GET_STATS on %s: %s\n", device,
			  strerror(errno));
		sgcap_card_close(card);
		return SGCAP_EXIT_ERROR;
	}
	printf("captures %llu\n", (unsigned long long)st.captures);
	printf("dequeued %llu\n", (unsigned long long)st.dequeued);
	printf("drops_no_buffer %llu\n", (unsigned long long)st.drops_no_buffer);
	printf("drops_injected %llu\n", (unsigned long long)st.drops_injected);
	printf("errors %llu\n", (unsigned long long)st.errors);
	printf("bytes %llu\n", (unsigned long long)st.bytes);
	printf("buffers_total %u\n", st.buffers_total);
	printf("buffers_free %u\n", st.buffers_free);
	printf("buffers_card %u\n", st.buffers_card);
	printf("buffers_ready %u\n", st.buffers_ready);
	printf("buffers_held %u\n", st.buffers_held);
	printf("streaming %u\n", st.streaming);
	sgcap_card_close(card);
	return SGCAP_EXIT_OK;
}
