// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap serve, sgcap consume: pass captures between processes by file
 * descriptor (SCM_RIGHTS over a SOCK_SEQPACKET UNIX socket), no copies.
 *
 * The server owns the card and must never let a consumer stall it: each
 * consumer has a window of captures outstanding (sent, not acknowledged).
 * The server keeps its own reference to each outstanding capture and drops
 * it on the consumer's ACK; a capture that arrives while a consumer's
 * window is full is not sent to it (counted as skipped for it) and is
 * released at once if nobody took it. A consumer that goes away gives its
 * outstanding captures back. The pool is split so that the card keeps at
 * least two buffers whatever the consumers do.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "sgcap_tool.h"

#define SGCAP_WIRE_MAGIC	0x57434753	/* "SGCW" */
#define SGCAP_DEFAULT_WINDOW	4
#define SGCAP_MAX_WINDOW	16
#define SGCAP_MAX_CONSUMERS	16
#define SGCAP_SERVE_BUFFERS	16
/* Buffers the card keeps however many consumers hold full windows. */
#define SGCAP_CARD_RESERVE	2
#define SGCAP_MAX_GONE		32
#define SGCAP_DRAIN_MS		5000

/* Messages; every one is a struct sgcap_wire, one per datagram. */
enum {
	SGCAP_WIRE_HELLO = 1,	/* server: window, features, transform */
	SGCAP_WIRE_CAPTURE,	/* server: a capture, its fd attached */
	SGCAP_WIRE_ACK,		/* consumer: done with capture @id */
	SGCAP_WIRE_END,		/* server: the stream is over */
	SGCAP_WIRE_REFUSED,	/* server: too many consumers */
};

/**
 * struct sgcap_wire - the one message format of serve and consume
 * @magic: SGCAP_WIRE_MAGIC
 * @type: SGCAP_WIRE_*
 * @id: CAPTURE, ACK: the server's number of the capture
 * @skipped: CAPTURE, END: captures skipped for this consumer so far
 * @features: HELLO: SGCAP_FEAT_* of the card, what consumers can verify
 * @transform: HELLO, CAPTURE: SGCAP_TRANSFORM_* of the bytes
 * @window: HELLO: captures a consumer may hold unacknowledged
 * @meta: CAPTURE: the metadata SGCAP_IOC_DEQUEUE returned
 */
struct sgcap_wire {
	__u32 magic;
	__u32 type;
	__u64 id;
	__u64 skipped;
	__u64 features;
	__u32 transform;
	__u32 window;
	struct sgcap_dequeue meta;
};

const char sgcap_help_serve[] =
	"usage: sgcap [-d DEV] serve --socket PATH [-n N] [options]\n"
	"\n"
	"Own the card and hand every capture, as its dma-buf fd plus metadata,\n"
	"to each connected consumer (`sgcap consume`) over a UNIX socket. Streaming\n"
	"starts when the first consumer connects (--no-wait: at once). A consumer\n"
	"may hold --window captures unacknowledged; when its window is full new\n"
	"captures are skipped for it rather than held, so a slow or dead consumer\n"
	"never stalls the card. A consumer that disconnects gives back what it\n"
	"held. With -n N the server stops after N captures, tells the consumers\n"
	"(END), waits up to 5 s for their acknowledgements and exits; without -n\n"
	"it serves until interrupted.\n"
	"\n"
	"Options:\n"
	"      --socket PATH      the socket to listen on (required)\n"
	"      --window W         captures outstanding per consumer (default 4,\n"
	"                         at most 16)\n"
	"      --no-wait          start streaming before any consumer connects\n"
	SGCAP_STREAM_HELP
	"                         (serve's default is 16 buffers)\n"
	"\n"
	"ioctls: those of `sgcap capture` on the card; socket, bind, listen,\n"
	"accept4, sendmsg with SCM_RIGHTS, recv.\n";

const char sgcap_help_consume[] =
	"usage: sgcap consume --socket PATH [-n N] [--delay MS]\n"
	"\n"
	"Connect to `sgcap serve`, receive captures as dma-buf fds, map and verify\n"
	"each (pattern and CRC32C recomputed here), release it and acknowledge it.\n"
	"With -n N stop after N captures (fewer is a failure); without, run until\n"
	"the server ends the stream.\n"
	"\n"
	"Options:\n"
	"      --socket PATH      the server's socket (required)\n"
	"  -n, --count N          captures to receive\n"
	"      --delay MS         hold each capture MS milliseconds before giving it\n"
	"                         back (a slow consumer, for testing)\n"
	"      --wait MS          keep trying to connect this long (default 10000)\n"
	"      --timeout MS       longest silence from the server (default 10000)\n"
	"  -h, --help             this text\n"
	"\n"
	"ioctls: socket, connect, recvmsg (SCM_RIGHTS), send; on each dma-buf mmap\n"
	"and DMA_BUF_IOCTL_SYNC (START|READ, END|READ), close.\n"
	"\n"
	"Exit status: 0 every capture intact, 1 a capture was corrupt or fewer than\n"
	"N arrived, 2 usage error, 3 connection or system error.\n";

enum {
	SGCAP_OPT_SOCKET = SGCAP_OPT_FIRST_FREE,
	SGCAP_OPT_WINDOW,
	SGCAP_OPT_NO_WAIT,
	SGCAP_OPT_DELAY,
	SGCAP_OPT_WAIT,
};

/**
 * struct sgcap_held - a capture the server holds for consumers
 * @cap: the capture
 * @id: the server's number of it
 * @refs: consumers it is outstanding with
 */
struct sgcap_held {
	struct sgcap_capture *cap;
	__u64 id;
	unsigned int refs;
};

/**
 * struct sgcap_consumer - a connected consumer
 * @fd: its socket, -1 for a free slot
 * @number: 1, 2, ... in order of connection
 * @sent: captures sent
 * @acked: captures acknowledged
 * @skipped: captures not sent because the window was full
 * @returned: captures it still held when it went away
 * @nout: entries in @out
 * @out: captures sent and not yet acknowledged
 * @dead: the connection failed; drop it
 */
struct sgcap_consumer {
	int fd;
	unsigned int number;
	__u64 sent;
	__u64 acked;
	__u64 skipped;
	__u64 returned;
	unsigned int nout;
	struct sgcap_held *out[SGCAP_MAX_WINDOW];
	unsigned int dead:1;
};

/**
 * struct sgcap_server - state of `sgcap serve`
 * @card: the card
 * @s: what to capture
 * @path: the socket's path
 * @listen_fd: the listening socket, -1 once the stream is over
 * @window: captures outstanding per consumer
 * @max_consumers: consumers accepted at once
 * @c: consumer slots
 * @connected: consumers ever accepted
 * @dequeued: captures dequeued
 * @unsent: captures no consumer took
 * @drops: frames missing from the sequence
 * @next_seq: sequence expected next
 * @start_ns: when streaming started
 * @end_ns: when streaming stopped
 * @features: SGCAP_FEAT_* of the card, passed on to consumers
 * @streaming: the card is started
 * @done: all captures are dequeued (or interrupted, or failed)
 * @finished: the card is stopped and the consumers are told: draining
 * @exiting: the server is closing what is left
 * @gone: summary lines of consumers that left
 * @ngone: entries in @gone
 */
struct sgcap_server {
	struct sgcap_card *card;
	struct sgcap_stream s;
	const char *path;
	int listen_fd;
	unsigned int window;
	unsigned int max_consumers;
	struct sgcap_consumer c[SGCAP_MAX_CONSUMERS];
	unsigned int connected;
	__u64 dequeued;
	__u64 unsent;
	__u64 drops;
	__u64 next_seq;
	__u64 start_ns;
	__u64 end_ns;
	__u64 features;
	unsigned int streaming:1;
	unsigned int done:1;
	unsigned int finished:1;
	unsigned int exiting:1;
	char gone[SGCAP_MAX_GONE][200];
	unsigned int ngone;
};

static void sgcap_held_put(struct sgcap_held *h)
{
	if (--h->refs)
		return;
	sgcap_capture_release(h->cap);
	free(h);
}

static int sgcap_wire_send(int fd, const struct sgcap_wire *w, int pass_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)w, .iov_len = sizeof(*w) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (pass_fd >= 0) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
	}
	/* Never block on a consumer; a full socket counts as a full window. */
	if (sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return -1;
	return 0;
}

static void sgcap_wire_init(struct sgcap_wire *w, __u32 type)
{
	memset(w, 0, sizeof(*w));
	w->magic = SGCAP_WIRE_MAGIC;
	w->type = type;
}

/* A consumer leaves: give back what it held and remember its figures. */
static void sgcap_consumer_drop(struct sgcap_server *srv,
				struct sgcap_consumer *c, const char *why)
{
	unsigned int i;
	char *line;

	for (i = 0; i < c->nout; i++) {
		sgcap_held_put(c->out[i]);
		c->returned++;
	}
	c->nout = 0;
	close(c->fd);
	c->fd = -1;
	line = srv->gone[srv->ngone < SGCAP_MAX_GONE ? srv->ngone :
			 SGCAP_MAX_GONE - 1];
	snprintf(line, sizeof(srv->gone[0]),
		 "consumer %u (%s): sent %llu, acknowledged %llu, skipped %llu (window full), gave back %llu",
		 c->number, why, (unsigned long long)c->sent,
		 (unsigned long long)c->acked, (unsigned long long)c->skipped,
		 (unsigned long long)c->returned);
	if (srv->ngone < SGCAP_MAX_GONE)
		srv->ngone++;
	/* At exit the summary lists every consumer anyway. */
	if (!srv->exiting) {
		printf("serve: %s\n", line);
		fflush(stdout);
	}
}

static unsigned int sgcap_consumers(const struct sgcap_server *srv)
{
	unsigned int i, n = 0;

	for (i = 0; i < SGCAP_MAX_CONSUMERS; i++)
		if (srv->c[i].fd >= 0)
			n++;
	return n;
}

static int sgcap_serve_start(struct sgcap_server *srv)
{
	if (srv->streaming || srv->done)
		return 0;
	srv->start_ns = sgcap_now_ns();
	if (sgcap_card_start(srv->card) < 0) {
		sgcap_err("serve: cannot start %s (SGCAP_IOC_START): %s\n",
			  sgcap_card_path(srv->card), strerror(errno));
		return -1;
	}
	srv->streaming = 1;
	printf("serve: streaming started\n");
	fflush(stdout);
	return 0;
}

static void sgcap_serve_accept(struct sgcap_server *srv)
{
	struct sgcap_consumer *c = NULL;
	struct sgcap_wire w;
	unsigned int i;
	int fd;

	fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (i = 0; i < SGCAP_MAX_CONSUMERS && !c; i++)
		if (srv->c[i].fd < 0)
			c = &srv->c[i];
	if (!c || sgcap_consumers(srv) >= srv->max_consumers) {
		sgcap_wire_init(&w, SGCAP_WIRE_REFUSED);
		w.window = srv->max_consumers;
		sgcap_wire_send(fd, &w, -1);
		close(fd);
		printf("serve: refused a consumer: %u are connected, as many as the pool allows\n",
		       srv->max_consumers);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->number = ++srv->connected;
	sgcap_wire_init(&w, SGCAP_WIRE_HELLO);
	w.window = srv->window;
	w.features = srv->features;
	w.transform = srv->s.cfg.transform;
	if (sgcap_wire_send(fd, &w, -1) < 0) {
		sgcap_consumer_drop(srv, c, "hung up at once");
		return;
	}
	printf("serve: consumer %u connected (window %u)\n", c->number,
	       srv->window);
	fflush(stdout);
}

/* Messages from a consumer: acknowledgements, or its hang-up. */
static void sgcap_serve_read(struct sgcap_server *srv,
			     struct sgcap_consumer *c)
{
	struct sgcap_wire w;
	unsigned int i, reset = 0;
	ssize_t n;

	for (;;) {
		n = recv(c->fd, &w, sizeof(w), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		/*
		 * A consumer that closes with messages unread resets the
		 * connection; the error is reported before the messages it
		 * sent last (its final ACKs), so read on until the end.
		 */
		if (n < 0 && errno == ECONNRESET) {
			reset = 1;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    !reset)
			return;
		if (n <= 0) {
			sgcap_consumer_drop(srv, c, n && !reset ?
					    "connection failed" :
					    "disconnected");
			return;
		}
		if (n != sizeof(w) || w.magic != SGCAP_WIRE_MAGIC ||
		    w.type != SGCAP_WIRE_ACK) {
			sgcap_consumer_drop(srv, c, "sent garbage");
			return;
		}
		for (i = 0; i < c->nout; i++)
			if (c->out[i]->id == w.id)
				break;
		if (i == c->nout) {
			sgcap_consumer_drop(srv, c, "acknowledged a capture it did not have");
			return;
		}
		sgcap_held_put(c->out[i]);
		c->out[i] = c->out[--c->nout];
		c->acked++;
	}
}

/* One capture from the card to every consumer with room in its window. */
static void sgcap_serve_capture(struct sgcap_server *srv,
				struct sgcap_capture *cap)
{
	struct sgcap_held *h;
	struct sgcap_consumer *c;
	struct sgcap_wire w;
	unsigned int i;
	__u64 seq = sgcap_capture_sequence(cap);

	if (seq > srv->next_seq)
		srv->drops += seq - srv->next_seq;
	srv->next_seq = seq + 1;
	srv->dequeued++;
	h = calloc(1, sizeof(*h));
	if (!h) {
		srv->unsent++;
		sgcap_capture_release(cap);
		return;
	}
	h->cap = cap;
	h->id = srv->dequeued;
	h->refs = 1;	/* ours, until every consumer was offered it */
	for (i = 0; i < SGCAP_MAX_CONSUMERS; i++) {
		c = &srv->c[i];
		if (c->fd < 0 || c->dead)
			continue;
		if (c->nout >= srv->window) {
			c->skipped++;
			continue;
		}
		sgcap_wire_init(&w, SGCAP_WIRE_CAPTURE);
		w.id = h->id;
		w.skipped = c->skipped;
		w.transform = sgcap_capture_transform(cap);
		sgcap_capture_get_meta(cap, &w.meta);
		if (sgcap_wire_send(c->fd, &w, sgcap_capture_fd(cap)) < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				c->skipped++;
			else
				c->dead = 1;
			continue;
		}
		c->out[c->nout++] = h;
		h->refs++;
		c->sent++;
	}
	if (h->refs == 1)
		srv->unsent++;
	sgcap_held_put(h);
}

static int sgcap_serve_dequeue(struct sgcap_server *srv)
{
	struct sgcap_capture *cap;
	int i;

	/* A bounded batch, so that acknowledgements are read in between. */
	for (i = 0; i < 16 && !srv->done; i++) {
		cap = sgcap_card_dequeue(srv->card, 0);
		if (!cap) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			sgcap_err("serve: SGCAP_IOC_DEQUEUE: %s\n",
				  strerror(errno));
			return -1;
		}
		sgcap_serve_capture(srv, cap);
		if (srv->s.count && srv->dequeued >= srv->s.count)
			srv->done = 1;
	}
	return 0;
}

/* The stream is over: stop the card, tell the consumers, stop listening. */
static void sgcap_serve_finish(struct sgcap_server *srv)
{
	struct sgcap_wire w;
	unsigned int i;

	if (srv->finished)
		return;
	srv->done = 1;
	srv->finished = 1;
	srv->end_ns = sgcap_now_ns();
	if (srv->streaming && sgcap_card_stop(srv->card) < 0)
		sgcap_err("serve: SGCAP_IOC_STOP: %s\n", strerror(errno));
	srv->streaming = 0;
	for (i = 0; i < SGCAP_MAX_CONSUMERS; i++) {
		if (srv->c[i].fd < 0)
			continue;
		sgcap_wire_init(&w, SGCAP_WIRE_END);
		w.id = srv->dequeued;
		w.skipped = srv->c[i].skipped;
		sgcap_wire_send(srv->c[i].fd, &w, -1);
	}
	if (srv->listen_fd >= 0) {
		close(srv->listen_fd);
		srv->listen_fd = -1;
		unlink(srv->path);
	}
}

static int sgcap_serve_listen(struct sgcap_server *srv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, probe;

	if (strlen(srv->path) >= sizeof(sa.sun_path)) {
		sgcap_err("serve: socket path %s is too long\n", srv->path);
		return -1;
	}
	memcpy(sa.sun_path, srv->path, strlen(srv->path) + 1);
	/* A socket left by a dead server is replaced, a live one is not. */
	if (!stat(srv->path, &st) && S_ISSOCK(st.st_mode)) {
		probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (probe >= 0 &&
		    !connect(probe, (struct sockaddr *)&sa, sizeof(sa))) {
			close(probe);
			sgcap_err("serve: another server listens on %s\n",
				  srv->path);
			return -1;
		}
		if (probe >= 0)
			close(probe);
		unlink(srv->path);
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		sgcap_err("serve: socket: %s\n", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 8) < 0) {
		sgcap_err("serve: cannot listen on %s: %s\n", srv->path,
			  strerror(errno));
		close(fd);
		return -1;
	}
	srv->listen_fd = fd;
	return 0;
}

static int sgcap_serve_loop(struct sgcap_server *srv)
{
	struct pollfd pfd[SGCAP_MAX_CONSUMERS + 2];
	struct sgcap_consumer *who[SGCAP_MAX_CONSUMERS + 2];
	__u64 drain_until = 0;
	unsigned int i, n, card_slot;
	int ret = 0;

	for (;;) {
		if (atomic_load(&sgcap_stop) && !srv->done) {
			printf("serve: interrupted\n");
			srv->done = 1;
		}
		if (srv->done && !srv->finished) {
			sgcap_serve_finish(srv);
			drain_until = sgcap_now_ns() +
				      SGCAP_DRAIN_MS * 1000000ULL;
		}
		if (srv->finished) {
			unsigned int held = 0;

			for (i = 0; i < SGCAP_MAX_CONSUMERS; i++)
				if (srv->c[i].fd >= 0)
					held += srv->c[i].nout;
			if (!held || sgcap_now_ns() > drain_until ||
			    atomic_load(&sgcap_stop))
				break;
		}

		n = 0;
		card_slot = ~0U;
		if (srv->listen_fd >= 0) {
			pfd[n].fd = srv->listen_fd;
			pfd[n].events = POLLIN;
			who[n++] = NULL;
		}
		if (srv->streaming && !srv->done) {
			card_slot = n;
			pfd[n].fd = sgcap_card_fd(srv->card);
			pfd[n].events = POLLIN;
			who[n++] = NULL;
		}
		for (i = 0; i < SGCAP_MAX_CONSUMERS; i++) {
			if (srv->c[i].fd < 0)
				continue;
			pfd[n].fd = srv->c[i].fd;
			pfd[n].events = POLLIN;
			who[n++] = &srv->c[i];
		}
		for (i = 0; i < n; i++)
			pfd[i].revents = 0;
		if (poll(pfd, n, 200) < 0) {
			if (errno == EINTR)
				continue;
			sgcap_err("serve: poll: %s\n", strerror(errno));
			ret = -1;
			break;
		}
		for (i = 0; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (who[i]) {
				if (who[i]->fd >= 0)
					sgcap_serve_read(srv, who[i]);
			} else if (i == card_slot) {
				if (sgcap_serve_dequeue(srv) < 0) {
					ret = -1;
					srv->done = 1;
				}
			} else if (srv->listen_fd >= 0) {
				sgcap_serve_accept(srv);
				if (sgcap_serve_start(srv) < 0) {
					ret = -1;
					srv->done = 1;
				}
			}
		}
		for (i = 0; i < SGCAP_MAX_CONSUMERS; i++)
			if (srv->c[i].fd >= 0 && srv->c[i].dead)
				sgcap_consumer_drop(srv, &srv->c[i],
						    "connection failed");
	}
	return ret;
}

int sgcap_cmd_serve(const char *device, int argc, char **argv)
{
	static const struct option own[] = {
		{ "socket", required_argument, NULL, SGCAP_OPT_SOCKET },
		{ "window", required_argument, NULL, SGCAP_OPT_WINDOW },
		{ "no-wait", no_argument, NULL, SGCAP_OPT_NO_WAIT },
		{ NULL, 0, NULL, 0 }
	};
	struct option opts[SGCAP_MAX_OPTIONS];
	struct sgcap_server *srv;
	struct sgcap_caps caps;
	unsigned int i, no_wait = 0;
	int opt, ret;
	__u64 ns;

	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		sgcap_err("serve: out of memory\n");
		return SGCAP_EXIT_ERROR;
	}
	srv->listen_fd = -1;
	srv->window = SGCAP_DEFAULT_WINDOW;
	for (i = 0; i < SGCAP_MAX_CONSUMERS; i++)
		srv->c[i].fd = -1;
	sgcap_stream_init(&srv->s, 0);
	srv->s.cfg.buffer_count = SGCAP_SERVE_BUFFERS;
	ret = SGCAP_EXIT_USAGE;
	sgcap_stream_options(opts, own);
	while ((opt = getopt_long(argc, argv, "n:d:h", opts, NULL)) != -1) {
		int r = sgcap_stream_option(&srv->s, opt, optarg);

		if (r < 0)
			goto out_free;
		if (r)
			continue;
		switch (opt) {
		case 'd':
			device = optarg;
			break;
		case SGCAP_OPT_SOCKET:
			srv->path = optarg;
			break;
		case SGCAP_OPT_WINDOW:
			if (sgcap_parse_uint(optarg, "--window",
					     SGCAP_MAX_WINDOW, &srv->window))
				goto out_free;
			break;
		case SGCAP_OPT_NO_WAIT:
			no_wait = 1;
			break;
		case 'h':
			fputs(sgcap_help_serve, stdout);
			ret = SGCAP_EXIT_OK;
			goto out_free;
		default:
			ret = sgcap_usage("serve", "bad option", NULL);
			goto out_free;
		}
	}
	if (optind < argc) {
		ret = sgcap_usage("serve", "unexpected argument",
				  argv[optind]);
		goto out_free;
	}
	if (!srv->path) {
		ret = sgcap_usage("serve", "--socket PATH is required", NULL);
		goto out_free;
	}
	if (!srv->window) {
		ret = sgcap_usage("serve", "--window must be at least 1",
				  NULL);
		goto out_free;
	}

	ret = SGCAP_EXIT_ERROR;
	srv->card = sgcap_open_card(device);
	if (!srv->card)
		goto out_free;
	if (sgcap_setup_card(srv->card, &srv->s, stdout, "serve") < 0 ||
	    sgcap_card_get_caps(srv->card, &caps) < 0)
		goto out_close_card;
	srv->features = caps.features;
	if (srv->s.cfg.buffer_count < srv->window + SGCAP_CARD_RESERVE) {
		sgcap_err("serve: %u buffers cannot cover a window of %u and the %u the card keeps; use --buffers or --window\n",
			  srv->s.cfg.buffer_count, srv->window,
			  SGCAP_CARD_RESERVE);
		goto out_close_card;
	}
	srv->max_consumers = (srv->s.cfg.buffer_count - SGCAP_CARD_RESERVE) /
			     srv->window;
	if (srv->max_consumers > SGCAP_MAX_CONSUMERS)
		srv->max_consumers = SGCAP_MAX_CONSUMERS;
	if (sgcap_serve_listen(srv) < 0)
		goto out_close_card;
	printf("serve: listening on %s: up to %u consumers, each holding at most %u captures; ",
	       srv->path, srv->max_consumers, srv->window);
	if (srv->s.count)
		printf("%llu captures\n", (unsigned long long)srv->s.count);
	else
		printf("until interrupted\n");
	fflush(stdout);
	if (no_wait && sgcap_serve_start(srv) < 0)
		goto out_unlisten;

	ret = sgcap_serve_loop(srv) < 0 ? SGCAP_EXIT_ERROR : SGCAP_EXIT_OK;
	sgcap_serve_finish(srv);
	srv->exiting = 1;
	for (i = 0; i < SGCAP_MAX_CONSUMERS; i++)
		if (srv->c[i].fd >= 0)
			sgcap_consumer_drop(srv, &srv->c[i],
					    srv->c[i].nout ? "still held captures at exit" :
					    "stayed to the end");
	ns = srv->start_ns ? srv->end_ns - srv->start_ns : 0;
	fprintf(stdout,
		"serve: %llu captures from %s in %.2f s (%.1f captures/s), %llu frames missing from the sequence, %llu taken by no consumer\n",
		(unsigned long long)srv->dequeued, sgcap_card_path(srv->card),
		sgcap_seconds(ns),
		ns ? (double)srv->dequeued * 1e9 / (double)ns : 0.0,
		(unsigned long long)srv->drops,
		(unsigned long long)srv->unsent);
	for (i = 0; i < srv->ngone; i++)
		printf("serve:   %s\n", srv->gone[i]);
	printf("summary: %llu captures served to %u consumers, %llu dropped\n",
	       (unsigned long long)srv->dequeued, srv->connected,
	       (unsigned long long)srv->drops);
out_unlisten:
	if (srv->listen_fd >= 0) {
		close(srv->listen_fd);
		unlink(srv->path);
	}
out_close_card:
	sgcap_card_close(srv->card);
out_free:
	free(srv);
	return ret;
}

/* Connect, retrying while the server is not up yet. */
static int sgcap_consume_connect(const char *path, unsigned int wait_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	__u64 until = sgcap_now_ns() + wait_ms * 1000000ULL;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		sgcap_err("consume: socket path %s is too long\n", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			sgcap_err("consume: socket: %s\n", strerror(errno));
			return -1;
		}
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		close(fd);
		if ((errno != ENOENT && errno != ECONNREFUSED) ||
		    sgcap_now_ns() > until || atomic_load(&sgcap_stop))
			break;
		sgcap_sleep_ms(50);
	}
	sgcap_err("consume: cannot connect to %s: %s (is `sgcap serve --socket %s` running?)\n",
		  path, strerror(errno), path);
	return -1;
}

/* One message, its fd (if any) in *@fd. Return: bytes, 0 on hang-up, -1. */
static ssize_t sgcap_consume_recv(int sock, struct sgcap_wire *w, int *fd,
				  int timeout_ms)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = w, .iov_len = sizeof(*w) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct cmsghdr *cm;
	ssize_t n;
	int r;

	*fd = -1;
	do {
		r = poll(&pfd, 1, timeout_ms);
	} while (r < 0 && errno == EINTR && !atomic_load(&sgcap_stop));
	if (r < 0)
		return -1;
	if (!r) {
		errno = ETIMEDOUT;
		return -1;
	}
	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return n;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	if (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}

int sgcap_cmd_consume(const char *device, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, SGCAP_OPT_SOCKET },
		{ "count", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, SGCAP_OPT_DELAY },
		{ "wait", required_argument, NULL, SGCAP_OPT_WAIT },
		{ "timeout", required_argument, NULL, SGCAP_OPT_TIMEOUT },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned int delay_ms = 0, wait_ms = 10000, timeout_ms = 10000;
	__u64 count = 0, skipped = 0, first = 0, last = 0, gaps = 0;
	struct sgcap_capture *cap;
	struct sgcap_progress prog;
	struct sgcap_verify res;
	struct sgcap_wire hello, w, ack;
	const char *path = NULL;
	int opt, sock, fd, ret, ended = 0;
	__u64 ns;
	ssize_t n;

	(void)device;
	while ((opt = getopt_long(argc, argv, "n:d:h", opts, NULL)) != -1) {
		switch (opt) {
		case SGCAP_OPT_SOCKET:
			path = optarg;
			break;
		case 'n':
			if (sgcap_parse_u64(optarg, "capture count", ~0ULL,
					    &count))
				return SGCAP_EXIT_USAGE;
			break;
		case SGCAP_OPT_DELAY:
			if (sgcap_parse_uint(optarg, "--delay", 3600000,
					     &delay_ms))
				return SGCAP_EXIT_USAGE;
			break;
		case SGCAP_OPT_WAIT:
			if (sgcap_parse_uint(optarg, "--wait", 3600000,
					     &wait_ms))
				return SGCAP_EXIT_USAGE;
			break;
		case SGCAP_OPT_TIMEOUT:
			if (sgcap_parse_uint(optarg, "--timeout", 3600000,
					     &timeout_ms))
				return SGCAP_EXIT_USAGE;
			break;
		case 'd':
			break;
		case 'h':
			fputs(sgcap_help_consume, stdout);
			return SGCAP_EXIT_OK;
		default:
			return sgcap_usage("consume", "bad option", NULL);
		}
	}
	if (optind < argc)
		return sgcap_usage("consume", "unexpected argument",
				   argv[optind]);
	if (!path)
		return sgcap_usage("consume", "--socket PATH is required",
				   NULL);

	sock = sgcap_consume_connect(path, wait_ms);
	if (sock < 0)
		return SGCAP_EXIT_ERROR;
	ret = SGCAP_EXIT_ERROR;
	n = sgcap_consume_recv(sock, &hello, &fd, (int)timeout_ms);
	if (n != sizeof(hello) || hello.magic != SGCAP_WIRE_MAGIC ||
	    (hello.type != SGCAP_WIRE_HELLO &&
	     hello.type != SGCAP_WIRE_REFUSED)) {
		sgcap_err("consume: no greeting from the server at %s\n",
			  path);
		goto out_close;
	}
	if (hello.type == SGCAP_WIRE_REFUSED) {
		sgcap_err("consume: the server refused us: it already has %u consumers\n",
			  hello.window);
		goto out_close;
	}
	printf("consume: connected to %s: window %u, transform %s\n", path,
	       hello.window, sgcap_transform_name(hello.transform));
	fflush(stdout);

	ret = SGCAP_EXIT_OK;
	sgcap_progress_init(&prog, stdout, "consume", count, 0);
	while (!count || prog.captures < count) {
		if (atomic_load(&sgcap_stop))
			break;
		n = sgcap_consume_recv(sock, &w, &fd, (int)timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sgcap_progress_clear(&prog);
			sgcap_err("consume: receiving from %s: %s\n", path,
				  errno == ETIMEDOUT ? "nothing arrived in time" :
				  strerror(errno));
			ret = SGCAP_EXIT_ERROR;
			break;
		}
		if (!n) {
			sgcap_progress_clear(&prog);
			printf("consume: the server closed the connection\n");
			break;
		}
		if (n != sizeof(w) || w.magic != SGCAP_WIRE_MAGIC) {
			sgcap_err("consume: garbage from the server\n");
			if (fd >= 0)
				close(fd);
			ret = SGCAP_EXIT_ERROR;
			break;
		}
		if (w.type == SGCAP_WIRE_END) {
			skipped = w.skipped;
			ended = 1;
			break;
		}
		if (w.type != SGCAP_WIRE_CAPTURE || fd < 0) {
			sgcap_err("consume: unexpected message %u from the server\n",
				  w.type);
			if (fd >= 0)
				close(fd);
			ret = SGCAP_EXIT_ERROR;
			break;
		}
		cap = sgcap_capture_from_fd(fd, &w.meta, w.transform,
					    hello.features);
		if (!cap) {
			sgcap_err("consume: %s\n", strerror(errno));
			close(fd);
			ret = SGCAP_EXIT_ERROR;
			break;
		}
		skipped = w.skipped;
		if (!prog.captures)
			first = w.meta.sequence;
		else if (w.meta.sequence > last + 1)
			gaps += w.meta.sequence - last - 1;
		last = w.meta.sequence;
		prog.captures++;
		prog.bytes += w.meta.bytes_used;
		if (sgcap_capture_verify(cap, &res) < 0) {
			if (errno != EBADMSG) {
				sgcap_err("consume: cannot map capture %llu: %s\n",
					  (unsigned long long)w.meta.sequence,
					  strerror(errno));
				ret = SGCAP_EXIT_ERROR;
				sgcap_capture_release(cap);
				break;
			}
			sgcap_count_problems(&prog, &res);
			sgcap_progress_clear(&prog);
			sgcap_describe_problems(stdout, "consume", cap, &res);
		}
		if (delay_ms)
			sgcap_sleep_ms(delay_ms);
		sgcap_capture_release(cap);
		sgcap_wire_init(&ack, SGCAP_WIRE_ACK);
		ack.id = w.id;
		if (send(sock, &ack, sizeof(ack), MSG_NOSIGNAL) < 0) {
			sgcap_err("consume: acknowledging: %s\n",
				  strerror(errno));
			ret = SGCAP_EXIT_ERROR;
			break;
		}
		prog.drops = gaps;
		sgcap_progress_update(&prog, 0);
	}
	sgcap_progress_end(&prog);
	ns = sgcap_now_ns() - prog.start_ns;
	fprintf(stdout,
		"consume: received %llu captures (sequences %llu..%llu) in %.2f s, %.1f MB/s: %llu intact, %llu corrupt\n",
		(unsigned long long)prog.captures, (unsigned long long)first,
		(unsigned long long)last, sgcap_seconds(ns),
		sgcap_mb_per_s(prog.bytes, ns),
		(unsigned long long)(prog.captures - sgcap_progress_errors(&prog)),
		(unsigned long long)sgcap_progress_errors(&prog));
	fprintf(stdout,
		"consume: %llu frames missing from the sequence: %llu skipped by the server because our window was full, the rest dropped before it%s\n",
		(unsigned long long)gaps, (unsigned long long)skipped,
		ended ? "; the server ended the stream" : "");
	printf("summary: %llu captures, %llu errors, %llu skipped\n",
	       (unsigned long long)prog.captures,
	       (unsigned long long)sgcap_progress_errors(&prog),
	       (unsigned long long)skipped);
	if (!ret && sgcap_progress_errors(&prog))
		ret = SGCAP_EXIT_BAD_DATA;
	if (!ret && count && prog.captures < count) {
		printf("consume: only %llu of the %llu captures asked for arrived\n",
		       (unsigned long long)prog.captures,
		       (unsigned long long)count);
		ret = SGCAP_EXIT_BAD_DATA;
	}
out_close:
	close(sock);
	return ret;
}
