// A real NIP-01 relay for the tests (spec/TESTING.md): the relay engine
// is @nostr-relay/core with its zod validator and its sqlite event
// repository; this file only gives it a `ws` server on 127.0.0.1.
//
//   node relay.mjs --port P [--db FILE] [--auth] [--auth-host NAME]
//                  [--max-subs N] [--req-delay MS] [--verbose]
//
// --port 0 picks a free port.  Prints exactly one line `ready PORT` to
// stdout once listening; everything else goes to stderr.  --db keeps the
// events in a sqlite file (default: in memory), so a relay killed with
// SIGKILL and restarted on the same file still has them.  --auth turns on
// NIP-42: the core sends ["AUTH", challenge] on connect and checks the
// kind-22242 answer (signature, challenge, relay host, created_at within
// 10 min); a plugin here refuses REQ (CLOSED "auth-required: ...") and
// EVENT (OK false "auth-required: ...") until that answer was accepted.
// --auth-host is the host name the 22242 `relay` tag must carry
// (default 127.0.0.1).  --max-subs is the core's per-connection
// subscription cap (default 20, the core's own; past it the core silently
// drops the least recently used subscription).  --req-delay holds each
// REQ that long before the engine sees it, so its events and EOSE come
// late (other messages are not held): a subscription not yet standing.
//
// NIP-11: a GET with `Accept: application/nostr+json` gets a small
// information document.  SIGTERM/SIGINT: closes the clients, the server
// and the database, writes a summary line to stderr, exits 0.
//
// Known properties of the engine (not bugs of this glue): live
// subscriptions match only ids/authors/kinds/since/until, so `#e`/`#p`
// filters are applied to stored events but not to live ones.
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'
import { NostrRelay } from '@nostr-relay/core'
import { Validator } from '@nostr-relay/validator'
import { EventRepositorySqlite } from '@nostr-relay/event-repository-sqlite'
import { LogLevel } from '@nostr-relay/common'

function usage (msg) {
  if (msg) process.stderr.write(`relay.mjs: ${msg}\n`)
  process.stderr.write('usage: node relay.mjs --port P [--db FILE] [--auth] [--auth-host NAME] [--max-subs N] [--req-delay MS] [--verbose]\n')
  process.exit(2)
}

const opts = { port: null, db: ':memory:', auth: false, authHost: '127.0.0.1', maxSubs: 20, maxMessage: 0, reqDelay: 0, verbose: false }
{
  const a = process.argv.slice(2)
  for (let i = 0; i < a.length; i++) {
    const need = () => { if (i + 1 >= a.length) usage(`${a[i]} needs a value`); return a[++i] }
    switch (a[i]) {
      case '--port': opts.port = Number(need()); break
      case '--db': opts.db = need(); break
      case '--auth': opts.auth = true; break
      case '--auth-host': opts.authHost = need(); break
      case '--max-subs': opts.maxSubs = Number(need()); break
      case '--max-message': opts.maxMessage = Number(need()); break
      case '--req-delay': opts.reqDelay = Number(need()); break
      case '--verbose': opts.verbose = true; break
      default: usage(`unknown argument ${a[i]}`)
    }
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) usage('--port P is required (0 picks one)')
  if (!Number.isInteger(opts.maxSubs) || opts.maxSubs < 1) usage('--max-subs must be a positive integer')
  if (!Number.isInteger(opts.reqDelay) || opts.reqDelay < 0 || opts.reqDelay > 60000) usage('--req-delay must be 0..60000 ms')
}

const tag = `relay[${process.pid}]`
const log = (...args) => process.stderr.write(`${tag} ${args.map(String).join(' ')}\n`)
const logger = {
  level: LogLevel.INFO,
  setLogLevel (l) { this.level = l },
  debug (m) { if (this.level <= LogLevel.DEBUG) log('debug', m) },
  info (m) { if (this.level <= LogLevel.INFO) log('info', m) },
  warn (m) { if (this.level <= LogLevel.WARN) log('warn', m) },
  error (m, e) { log('error', m, e && e.stack ? e.stack : '') }
}

const repo = new EventRepositorySqlite(opts.db)
await repo.init()

const relay = new NostrRelay(repo, {
  // NIP-42 is on exactly when a hostname is given.
  hostname: opts.auth ? opts.authHost : undefined,
  logger,
  logLevel: LogLevel.INFO,
  maxSubscriptionsPerClient: opts.maxSubs,
  // The core caches each filter's result for 1 s and each event id's OK
  // for 10 min by default: a test repeating a REQ would then miss events
  // stored in between, and a resent event would get `OK true ""` instead
  // of `duplicate:`.  Behave like a plain relay instead.
  filterResultCacheTtl: 0,
  eventHandlingResultCacheTtl: 0
})

const stats = { connections: 0, messages: 0, events: 0, reqs: 0, auths: 0, authRefusals: 0, invalid: 0 }

if (opts.auth) {
  relay.register({
    async handleMessage (ctx, message, next) {
      if (message[0] === 'AUTH') stats.auths++
      if (!ctx.pubkey) {
        if (message[0] === 'REQ') {
          stats.authRefusals++
          ctx.sendMessage(['CLOSED', message[1], 'auth-required: this relay requires NIP-42 authentication'])
          return { messageType: 'REQ', events: [] }
        }
        if (message[0] === 'EVENT') {
          stats.authRefusals++
          ctx.sendMessage(['OK', message[1].id, false, 'auth-required: this relay requires NIP-42 authentication'])
          return { messageType: 'EVENT', success: false }
        }
      }
      return next()
    }
  })
}

if (opts.reqDelay > 0) {
  relay.register({
    async handleMessage (ctx, message, next) {
      if (message[0] === 'REQ') await new Promise((resolve) => setTimeout(resolve, opts.reqDelay))
      return next()
    }
  })
}

const validator = new Validator()

const info = {
  name: 'openagents-test-relay',
  description: '@nostr-relay/core on 127.0.0.1 for the interop tests',
  software: 'https://github.com/CodyTseng/nostr-relay',
  version: '0.0.40',
  supported_nips: opts.auth ? [1, 11, 42] : [1, 11],
  limitation: {
    auth_required: opts.auth,
    max_subscriptions: opts.maxSubs,
    ...(opts.maxMessage > 0 ? { max_message_length: opts.maxMessage } : {}),
    max_content_length: 102400,
    max_subid_length: 128
  }
}

const http = createServer((req, res) => {
  if ((req.headers.accept || '').includes('application/nostr+json')) {
    res.writeHead(200, { 'content-type': 'application/nostr+json', 'access-control-allow-origin': '*' })
    res.end(JSON.stringify(info))
  } else {
    res.writeHead(426, { 'content-type': 'text/plain' })
    res.end('use a WebSocket\n')
  }
})
// --max-message N: announced in NIP-11 and enforced (a larger frame ends the connection)
const wss = new WebSocketServer({ server: http, ...(opts.maxMessage > 0 ? { maxPayload: opts.maxMessage } : {}) })

wss.on('connection', (ws, req) => {
  stats.connections++
  const peer = `${req.socket.remoteAddress}:${req.socket.remotePort}`
  log('connect', peer)
  relay.handleConnection(ws, req.socket.remoteAddress)
  ws.on('message', async (data) => {
    stats.messages++
    if (opts.verbose) log('<', peer, String(data).slice(0, 300))
    let msg
    try {
      msg = await validator.validateIncomingMessage(data)
    } catch (e) {
      stats.invalid++
      log('invalid message from', peer, e.message)
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(['NOTICE', e.message]))
      return
    }
    if (msg[0] === 'EVENT') stats.events++
    else if (msg[0] === 'REQ') stats.reqs++
    try {
      await relay.handleMessage(ws, msg)
    } catch (e) {
      log('error handling message from', peer, e.stack || e)
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(['NOTICE', `error: ${e.message}`]))
    }
  })
  ws.on('close', () => { log('disconnect', peer); relay.handleDisconnect(ws) })
  ws.on('error', (e) => log('socket error', peer, e.message))
})

http.on('error', (e) => { log('listen failed:', e.message); process.exit(1) })
http.listen(opts.port, '127.0.0.1', () => {
  const port = http.address().port
  process.stdout.write(`ready ${port}\n`)
  log(`listening on ws://127.0.0.1:${port} db=${opts.db} auth=${opts.auth}`)
})

let stopping = false
async function stop (sig) {
  if (stopping) return
  stopping = true
  const t = setTimeout(() => { log('shutdown timed out'); process.exit(1) }, 5000)
  t.unref()
  for (const ws of wss.clients) ws.terminate()
  await new Promise((resolve) => wss.close(() => resolve()))
  await new Promise((resolve) => http.close(() => resolve()))
  await relay.destroy()
  await repo.destroy()
  log(`${sig}: stopped; connections=${stats.connections} messages=${stats.messages} events=${stats.events}` +
    ` reqs=${stats.reqs} auths=${stats.auths} auth_refusals=${stats.authRefusals} invalid=${stats.invalid}`)
  process.exit(0)
}
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
