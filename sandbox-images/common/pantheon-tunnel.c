/*
 * pantheon-tunnel: moves TCP bytes between a sandbox container (which has no network interface
 * but loopback) and the app, over the stdin/stdout of a `docker exec`. Built static (-static -O2)
 * on the host and copied to /opt/pantheon/bin/pantheon-tunnel in every runtime image.
 *
 *   pantheon-tunnel connect <port>
 *     Connects to 127.0.0.1:<port> and pipes stdin -> socket, socket -> stdout. EOF on stdin
 *     half-closes the socket (shutdown SHUT_WR); EOF from the socket closes stdout. Exits 0 when
 *     both directions are done. If nothing accepts the connection: "nothing listening on port N"
 *     on stderr, exit 3. (Used by previews: the app reaches a dev server in the container.)
 *
 *   pantheon-tunnel listen <port>
 *     Listens on 127.0.0.1:<port> and multiplexes every accepted connection over stdin/stdout.
 *     (Used for egress: programs in the container use http://127.0.0.1:<port> as their proxy.)
 *     Frames, both directions: [u32 channel][u8 kind][u32 length][length bytes], big-endian.
 *       kind 0 DATA   payload bytes for the channel (1..MAX_PAYLOAD bytes)
 *       kind 1 OPEN   container -> app: a connection was accepted on this channel
 *       kind 2 EOF    no more data in this direction (half-close)
 *       kind 3 CLOSE  the channel is gone (reset/abort); the peer drops it
 *       kind 4 READY  container -> app, channel 0: the listener is bound
 *     Channel numbers grow and are never reused. Frames for unknown channels are ignored.
 *     Exits when stdin reaches EOF (the app closed the tunnel); bind failure: message, exit 4.
 *
 * No getaddrinfo (static glibc cannot use NSS) and no heap growth driven by the peer: every buffer
 * is bounded, and a full buffer stops reading its source (backpressure) instead of growing.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#define BUF_SIZE 65536
#define MAX_PAYLOAD 16384
#define HEADER 9
#define MAX_CONNS 256
/* stdout buffer: data reads stop above OUT_DATA_LIMIT; control frames use the headroom above it. */
#define OUT_DATA_LIMIT (256 * 1024)
#define OUT_SIZE (OUT_DATA_LIMIT + MAX_PAYLOAD + HEADER + (MAX_CONNS * 3 + 8) * HEADER)

enum { K_DATA = 0, K_OPEN = 1, K_EOF = 2, K_CLOSE = 3, K_READY = 4 };

static void die(int code, const char *fmt, int arg) {
  fprintf(stderr, "pantheon-tunnel: ");
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  exit(code);
}

static int parse_port(const char *s) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < 1 || v > 65535) {
    fprintf(stderr, "pantheon-tunnel: invalid port \"%s\"\n", s);
    exit(2);
  }
  return (int)v;
}

static void set_nonblock(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

static int would_block(void) { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR; }

/* ---------------------------------------------------------------- connect mode */

struct pump {
  int in, out;
  int sock_out; /* out is the socket: half-close with shutdown() rather than close() */
  char buf[BUF_SIZE];
  size_t off, len;
  int eof;  /* source finished */
  int done; /* nothing more will flow this way */
};

static void pump_finish(struct pump *p, int sock) {
  if (p->done) return;
  p->done = 1;
  if (p->sock_out) shutdown(sock, SHUT_WR);
  else close(p->out);
}

static int run_connect(int port) {
  int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) die(1, "socket failed (errno %d)", errno);
  struct sockaddr_in addr = loopback(port);
  if (connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0) die(3, "nothing listening on port %d", port);
  int one = 1;
  setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  set_nonblock(sock);
  set_nonblock(0);
  set_nonblock(1);

  static struct pump up, down; /* up: stdin -> socket; down: socket -> stdout */
  up.in = 0, up.out = sock, up.sock_out = 1;
  down.in = sock, down.out = 1, down.sock_out = 0;
  struct pump *pumps[2] = {&up, &down};

  while (!up.done || !down.done) {
    struct pollfd fds[2];
    struct pump *owner[2];
    int n = 0;
    for (int i = 0; i < 2; i++) {
      struct pump *p = pumps[i];
      if (p->done) continue;
      if (p->len > 0) fds[n].fd = p->out, fds[n].events = POLLOUT;
      else fds[n].fd = p->in, fds[n].events = POLLIN;
      fds[n].revents = 0;
      owner[n++] = p;
    }
    if (poll(fds, (nfds_t)n, -1) < 0) {
      if (errno == EINTR) continue;
      die(1, "poll failed (errno %d)", errno);
    }
    for (int i = 0; i < n; i++) {
      struct pump *p = owner[i];
      if (!fds[i].revents) continue;
      if (p->len == 0) {
        ssize_t r = read(p->in, p->buf, sizeof p->buf);
        if (r > 0) p->off = 0, p->len = (size_t)r;
        else if (r == 0 || !would_block()) p->eof = 1;
      } else {
        ssize_t w = write(p->out, p->buf + p->off, p->len);
        if (w > 0) p->off += (size_t)w, p->len -= (size_t)w;
        else if (w < 0 && !would_block()) {
          /* The destination is gone: stop reading the source too. */
          p->len = 0, p->eof = 1;
          if (p == &down) shutdown(sock, SHUT_RD);
        }
      }
      if (p->eof && p->len == 0) pump_finish(p, sock);
    }
  }
  close(sock);
  return 0;
}

/* ---------------------------------------------------------------- listen mode */

struct conn {
  int fd; /* -1: free slot */
  uint32_t id;
  char wbuf[BUF_SIZE]; /* app -> socket */
  size_t woff, wlen;
  int read_eof;  /* the socket said EOF (sent to the app) */
  int write_eof; /* the app said EOF: shut down once wbuf drains */
  int write_shut;
};

static struct conn conns[MAX_CONNS];
static unsigned char inbuf[BUF_SIZE];
static size_t inlen;
static unsigned char outbuf[OUT_SIZE];
static size_t outoff, outlen;
static uint32_t next_id = 1;

static void put_u32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

static uint32_t get_u32(const unsigned char *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void out_compact(void) {
  if (outoff > 0) {
    memmove(outbuf, outbuf + outoff, outlen);
    outoff = 0;
  }
}

/* Control frames always fit: OUT_SIZE reserves room for three per connection beyond the data limit. */
static void emit(uint32_t channel, int kind, const void *data, uint32_t len) {
  out_compact();
  if (outlen + HEADER + len > sizeof outbuf) die(1, "internal: output buffer overflow (%d)", (int)len);
  unsigned char *p = outbuf + outlen;
  put_u32(p, channel);
  p[4] = (unsigned char)kind;
  put_u32(p + 5, len);
  if (len) memcpy(p + HEADER, data, len);
  outlen += HEADER + len;
}

static struct conn *find_conn(uint32_t id) {
  for (int i = 0; i < MAX_CONNS; i++)
    if (conns[i].fd >= 0 && conns[i].id == id) return &conns[i];
  return NULL;
}

static int live_conns(void) {
  int n = 0;
  for (int i = 0; i < MAX_CONNS; i++) n += conns[i].fd >= 0;
  return n;
}

static void drop_conn(struct conn *c, int tell_app) {
  if (tell_app) emit(c->id, K_CLOSE, NULL, 0);
  close(c->fd);
  c->fd = -1;
}

/* Both directions finished: the channel is over. */
static void maybe_finished(struct conn *c) {
  if (c->fd >= 0 && c->read_eof && c->write_shut) drop_conn(c, 1);
}

static void accept_one(int lfd) {
  int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return;
  for (int i = 0; i < MAX_CONNS; i++) {
    if (conns[i].fd >= 0) continue;
    struct conn *c = &conns[i];
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->id = next_id++;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    emit(c->id, K_OPEN, NULL, 0);
    return;
  }
  close(fd); /* not reached: the listener is only polled while a slot is free */
}

/* Applies complete frames from the app; stops at a frame whose channel has no room yet. */
static void parse_input(void) {
  size_t pos = 0;
  while (inlen - pos >= HEADER) {
    const unsigned char *h = inbuf + pos;
    uint32_t id = get_u32(h), len = get_u32(h + 5);
    int kind = h[4];
    if (kind > K_CLOSE || len > MAX_PAYLOAD || (kind != K_DATA && len != 0) || (kind == K_DATA && len == 0))
      die(1, "protocol error from the app (kind %d)", kind);
    if (inlen - pos < HEADER + len) break;
    struct conn *c = find_conn(id);
    if (c && kind == K_DATA) {
      if (c->write_eof) die(1, "protocol error: data after EOF on channel %d", (int)id);
      if (c->woff + c->wlen + len > sizeof c->wbuf) {
        if (c->wlen + len > sizeof c->wbuf) break; /* full: wait for the socket to drain */
        memmove(c->wbuf, c->wbuf + c->woff, c->wlen);
        c->woff = 0;
      }
      memcpy(c->wbuf + c->woff + c->wlen, h + HEADER, len);
      c->wlen += len;
    } else if (c && kind == K_EOF) {
      c->write_eof = 1;
    } else if (c && kind == K_CLOSE) {
      drop_conn(c, 0);
    }
    pos += HEADER + len;
  }
  if (pos > 0) {
    memmove(inbuf, inbuf + pos, inlen - pos);
    inlen -= pos;
  }
}

/* True when the frame at the head of inbuf is waiting for a channel's buffer to drain. */
static int input_blocked(void) {
  if (inlen < HEADER) return 0;
  uint32_t len = get_u32(inbuf + 5);
  if (inlen < HEADER + len) return 0;
  return 1; /* parse_input() stopped on a complete frame: its channel is full */
}

static int run_listen(int port) {
  signal(SIGPIPE, SIG_IGN);
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (lfd < 0) die(1, "socket failed (errno %d)", errno);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = loopback(port);
  if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0) die(4, "cannot listen on port %d (already in use?)", port);
  if (listen(lfd, 128) != 0) die(4, "cannot listen on port %d", port);
  for (int i = 0; i < MAX_CONNS; i++) conns[i].fd = -1;
  set_nonblock(0);
  set_nonblock(1);
  emit(0, K_READY, NULL, 0);

  static struct pollfd fds[MAX_CONNS + 3];
  static struct conn *owner[MAX_CONNS + 3];
  for (;;) {
    int n = 0;
    int in_idx = -1, out_idx = -1, lis_idx = -1;
    if (inlen < sizeof inbuf && !input_blocked()) {
      fds[n].fd = 0, fds[n].events = POLLIN, in_idx = n++;
    }
    if (outlen > 0) fds[n].fd = 1, fds[n].events = POLLOUT, out_idx = n++;
    int room = outlen <= OUT_DATA_LIMIT;
    if (room && live_conns() < MAX_CONNS) fds[n].fd = lfd, fds[n].events = POLLIN, lis_idx = n++;
    int first_conn = n;
    for (int i = 0; i < MAX_CONNS; i++) {
      struct conn *c = &conns[i];
      if (c->fd < 0) continue;
      short ev = 0;
      if (!c->read_eof && room) ev |= POLLIN;
      if (c->wlen > 0) ev |= POLLOUT;
      if (!ev) continue;
      fds[n].fd = c->fd, fds[n].events = ev, fds[n].revents = 0, owner[n++] = c;
    }
    for (int i = 0; i < first_conn; i++) fds[i].revents = 0;
    if (poll(fds, (nfds_t)n, -1) < 0) {
      if (errno == EINTR) continue;
      die(1, "poll failed (errno %d)", errno);
    }

    if (out_idx >= 0 && fds[out_idx].revents) {
      ssize_t w = write(1, outbuf + outoff, outlen);
      if (w > 0) outoff += (size_t)w, outlen -= (size_t)w;
      else if (w < 0 && !would_block()) return 0; /* the app is gone */
      if (outlen == 0) outoff = 0;
    }
    if (in_idx >= 0 && fds[in_idx].revents) {
      ssize_t r = read(0, inbuf + inlen, sizeof inbuf - inlen);
      if (r > 0) inlen += (size_t)r;
      else if (r == 0 || !would_block()) return 0; /* the app closed the tunnel */
    }
    for (int i = first_conn; i < n; i++) {
      struct conn *c = owner[i];
      short re = fds[i].revents;
      if (c->fd < 0 || !re) continue;
      if ((re & (POLLOUT | POLLERR | POLLHUP)) && c->wlen > 0) {
        ssize_t w = write(c->fd, c->wbuf + c->woff, c->wlen);
        if (w > 0) c->woff += (size_t)w, c->wlen -= (size_t)w;
        else if (w < 0 && !would_block()) {
          drop_conn(c, 1);
          continue;
        }
        if (c->wlen == 0) c->woff = 0;
      }
      if ((re & (POLLIN | POLLERR | POLLHUP)) && !c->read_eof && outlen <= OUT_DATA_LIMIT) {
        char buf[MAX_PAYLOAD];
        ssize_t r = read(c->fd, buf, sizeof buf);
        if (r > 0) emit(c->id, K_DATA, buf, (uint32_t)r);
        else if (r == 0) c->read_eof = 1, emit(c->id, K_EOF, NULL, 0);
        else if (!would_block()) {
          drop_conn(c, 1);
          continue;
        }
      }
      maybe_finished(c);
    }
    /* After the app's frames, apply pending half-closes whose data has drained. */
    parse_input();
    for (int i = 0; i < MAX_CONNS; i++) {
      struct conn *c = &conns[i];
      if (c->fd < 0) continue;
      if (c->write_eof && !c->write_shut && c->wlen == 0) {
        shutdown(c->fd, SHUT_WR);
        c->write_shut = 1;
      }
      maybe_finished(c);
    }
    if (lis_idx >= 0 && (fds[lis_idx].revents & POLLIN)) accept_one(lfd);
  }
}

int main(int argc, char **argv) {
  if (argc != 3 || (strcmp(argv[1], "connect") != 0 && strcmp(argv[1], "listen") != 0)) {
    fprintf(stderr, "usage: pantheon-tunnel connect <port> | listen <port>\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  int port = parse_port(argv[2]);
  return strcmp(argv[1], "connect") == 0 ? run_connect(port) : run_listen(port);
}
