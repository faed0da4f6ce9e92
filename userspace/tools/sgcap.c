// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap - command-line tool for sgcap capture cards: inspect a card,
 * capture and verify, and hand captures to other processes, a GPU driver
 * or a video encoder as dma-bufs.
 *
 *   sgcap [-d DEV] COMMAND [OPTIONS]     sgcap COMMAND --help for details
 */
#include <string.h>
#include <stdlib.h>

#include "sgcap_tool.h"

/**
 * struct sgcap_command - one command of the tool
 * @name: what the user types
 * @run: the implementation; argv[0] is @name
 * @help: the full help text of the command
 * @summary: one line for the overview
 */
struct sgcap_command {
	const char *name;
	int (*run)(const char *device, int argc, char **argv);
	const char *help;
	const char *summary;
};

static const struct sgcap_command sgcap_commands[] = {
	{ "info", sgcap_cmd_info, sgcap_help_info,
	  "capabilities, configuration, counters and buffer states" },
	{ "stats", sgcap_cmd_stats, sgcap_help_stats,
	  "counters and buffer states as key value lines" },
	{ "capture", sgcap_cmd_capture, sgcap_help_capture,
	  "capture N captures, verify each, optionally write them out" },
	{ "verify", sgcap_cmd_verify, sgcap_help_verify,
	  "end-to-end check of every capture and the card's counters" },
	{ "serve", sgcap_cmd_serve, sgcap_help_serve,
	  "hand captures to consumers over a UNIX socket (SCM_RIGHTS)" },
	{ "consume", sgcap_cmd_consume, sgcap_help_consume,
	  "receive captures from `sgcap serve`, verify and acknowledge" },
	{ "gpu-import", sgcap_cmd_gpu_import, sgcap_help_gpu_import,
	  "import captures into a DRM driver (PRIME) and read them back" },
	{ "v4l2-out", sgcap_cmd_v4l2_out, sgcap_help_v4l2_out,
	  "queue captures to a V4L2 video output by dma-buf fd" },
	{ "pattern", sgcap_cmd_pattern, sgcap_help_pattern,
	  "write the simulated card's reference captures (for testing)" },
	{ NULL, NULL, NULL, NULL }
};

static void sgcap_overview(FILE *out)
{
	const struct sgcap_command *cmd;

	fprintf(out,
		"usage: sgcap [-d DEV] COMMAND [OPTIONS]\n"
		"       sgcap COMMAND --help | sgcap help COMMAND\n"
		"\n"
		"Drive an sgcap capture card: each capture is a scatter-gather buffer the\n"
		"driver exports as a dma-buf; these commands capture, verify and pass\n"
		"captures on by file descriptor, without copies.\n"
		"\n"
		"Commands:\n");
	for (cmd = sgcap_commands; cmd->name; cmd++)
		fprintf(out, "  %-11s %s\n", cmd->name, cmd->summary);
	fprintf(out,
		"\n"
		"Options:\n"
		"  -d, --device DEV   the card (default /dev/sgcap0)\n"
		"  -h, --help         this text\n"
		"  -V, --version      print the version\n"
		"\n"
		"ioctls by command (on /dev/sgcapN unless said otherwise):\n"
		"  info, stats   SGCAP_IOC_GET_CAPS, SGCAP_IOC_GET_CONFIG, SGCAP_IOC_GET_STATS\n"
		"  capture, verify, serve\n"
		"                SGCAP_IOC_CONFIGURE, SGCAP_IOC_START, SGCAP_IOC_DEQUEUE,\n"
		"                SGCAP_IOC_STOP; on each dma-buf mmap and DMA_BUF_IOCTL_SYNC\n"
		"  consume       recvmsg (SCM_RIGHTS), mmap, DMA_BUF_IOCTL_SYNC\n"
		"  gpu-import    DRM_IOCTL_VERSION, DRM_IOCTL_PRIME_FD_TO_HANDLE,\n"
		"                DRM_IOCTL_PRIME_HANDLE_TO_FD, DRM_IOCTL_GEM_CLOSE\n"
		"  v4l2-out      VIDIOC_QUERYCAP, VIDIOC_S_FMT, VIDIOC_REQBUFS (DMABUF),\n"
		"                VIDIOC_QBUF, VIDIOC_STREAMON, VIDIOC_DQBUF, VIDIOC_STREAMOFF\n"
		"\n"
		"Exit status: 0 success, 1 a capture or check failed, 2 usage error,\n"
		"3 device or system error, 77 the device a command needs is absent.\n");
}

static const struct sgcap_command *sgcap_find(const char *name)
{
	const struct sgcap_command *cmd;

	for (cmd = sgcap_commands; cmd->name; cmd++)
		if (!strcmp(cmd->name, name))
			return cmd;
	return NULL;
}

static int sgcap_help(int argc, char **argv)
{
	const struct sgcap_command *cmd;

	if (argc < 2) {
		sgcap_overview(stdout);
		return SGCAP_EXIT_OK;
	}
	cmd = sgcap_find(argv[1]);
	if (!cmd) {
		sgcap_err("no command '%s'; `sgcap --help` lists them\n",
			  argv[1]);
		return SGCAP_EXIT_USAGE;
	}
	fputs(cmd->help, stdout);
	return SGCAP_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *device = getenv("SGCAP_DEVICE");
	const struct sgcap_command *cmd;
	int opt;

	if (!device || !*device)
		device = SGCAP_DEFAULT_DEVICE;
	/* '+': stop at the command; its options are its own. */
	while ((opt = getopt_long(argc, argv, "+d:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			device = optarg;
			break;
		case 'h':
			sgcap_overview(stdout);
			return SGCAP_EXIT_OK;
		case 'V':
			printf("sgcap %s (libsgcap %s, sgcap uapi %d)\n",
			       SGCAP_LIB_VERSION, sgcap_library_version(),
			       SGCAP_UAPI_VERSION);
			return SGCAP_EXIT_OK;
		default:
			fprintf(stderr, "Try 'sgcap --help'.\n");
			return SGCAP_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		sgcap_err("no command given\n");
		sgcap_overview(stderr);
		return SGCAP_EXIT_USAGE;
	}
	argv += optind;
	argc -= optind;
	if (!strcmp(argv[0], "help"))
		return sgcap_help(argc, argv);
	cmd = sgcap_find(argv[0]);
	if (!cmd) {
		sgcap_err("unknown command '%s'; `sgcap --help` lists them\n",
			  argv[0]);
		return SGCAP_EXIT_USAGE;
	}
	/* Let the command's getopt_long start afresh on its own argv. */
	optind = 0;
	sgcap_signals_init();
	return cmd->run(device, argc, argv);
}
