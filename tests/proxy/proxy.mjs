// relayd's egress proxy (relayd/proxy.c), driven for real: the test
// stands in for the supervisor with tests/relayd_drive (which makes the
// unix socket and passes it), node's own tls/https servers play the
// allow-listed host and the model API upstream, and the agent is node's
// http client on the socket, directly or through openagents-netbridge.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { createServer as createHttps } from 'node:https'
import { createServer as createNet, connect as netConnect } from 'node:net'
import { createServer as createTls, connect as tlsConnect } from 'node:tls'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { BUILD, ok, finish, tempdir, track, selfSignedCert } from '../interop/lib.mjs'

const DRIVE = join(BUILD, 'tests', 'relayd_drive')
const RELAYD = join(BUILD, 'openagents-relayd')
const BRIDGE = join(BUILD, 'openagents-netbridge')
const KEY = 'sk-test-0123456789abcdef'

const dir = tempdir()
const { key: keyPem, cert: certPem } = selfSignedCert(dir)
const tlsOpts = { key: readFileSync(keyPem), cert: readFileSync(certPem) }
const ca = readFileSync(certPem)

const servers = []
function listen (srv) {
  servers.push(srv)
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv.address().port)))
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// relayd behind relayd_drive, trusting our certificate only
class Relayd {
  constructor (env = { ...process.env, SSL_CERT_FILE: certPem }) {
    this.stderr = ''
    this.lines = []
    this.waiters = []
    this.proc = track(spawn(DRIVE, [RELAYD], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env
    }))
    this.proc.stderr.on('data', (d) => { this.stderr += d })
    createInterface({ input: this.proc.stdout }).on('line', (l) => {
      this.lines.push(l)
      for (const w of this.waiters.splice(0)) w()
    })
  }

  // the first line (from now on, or already seen) that matches re
  async wait (re, ms = 10000) {
    const end = Date.now() + ms
    for (;;) {
      const i = this.lines.findIndex((l) => re.test(l))
      if (i !== -1) return this.lines.splice(i, 1)[0]
      const left = end - Date.now()
      if (left <= 0) return null
      await new Promise((resolve) => {
        const t = setTimeout(resolve, left)
        this.waiters.push(() => { clearTimeout(t); resolve() })
      })
    }
  }

  async send (line, re) {
    this.proc.stdin.write(line + '\n')
    return this.wait(re)
  }

  close () {
    this.proc.stdin.end()
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.proc.kill('SIGKILL'); resolve(null) }, 10000)
      this.proc.on('exit', (code) => { clearTimeout(t); resolve(code) })
    })
  }
}

// One HTTP request through the proxy; resolves {status, headers, body}.
function http (target, opts = {}) {
  return new Promise((resolve) => {
    const req = request({
      socketPath: target.socket,
      host: target.host,
      port: target.port,
      method: opts.method ?? 'GET',
      path: opts.path,
      headers: opts.headers ?? {},
      agent: false
    }, (res) => {
      const chunks = []
      const times = []
      res.on('data', (d) => { chunks.push(d); times.push(Date.now()) })
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString(), times }))
      res.on('error', (e) => resolve({ status: -1, body: String(e) }))
    })
    req.setTimeout(20000, () => req.destroy(new Error('timeout')))
    req.on('error', (e) => resolve({ status: -1, body: String(e) }))
    if (opts.chunks) {
      let i = 0
      const next = () => {
        if (i === opts.chunks.length) { req.end(); return }
        req.write(opts.chunks[i++])
        setTimeout(next, 20)
      }
      next()
    } else req.end(opts.body)
  })
}

// Raw bytes in, everything until the proxy closes out.
function raw (socket, bytes) {
  return new Promise((resolve) => {
    const s = netConnect(socket)
    let out = ''
    const t = setTimeout(() => s.destroy(), 20000)
    s.on('connect', () => s.write(bytes))
    s.on('data', (d) => { out += d })
    s.on('close', () => { clearTimeout(t); resolve(out) })
    s.on('error', (e) => { out += `(${e.code})` })
  })
}

// CONNECT, then TLS to the far end through the tunnel; echo one line.
function tunnel (target, authority, text) {
  return new Promise((resolve) => {
    const req = request({ socketPath: target.socket, host: target.host, port: target.port, method: 'CONNECT', path: authority, agent: false })
    const t = setTimeout(() => { req.destroy(); resolve({ status: -2 }) }, 20000)
    req.on('connect', (res, socket, head) => {
      if (res.statusCode !== 200) {
        // node hands over the socket whatever the status: the body is on it
        let body = head.toString()
        socket.on('data', (d) => { body += d })
        socket.on('close', () => { clearTimeout(t); resolve({ status: res.statusCode, body }) })
        socket.on('error', () => {})
        return
      }
      const tls = tlsConnect({ socket, ca, host: '127.0.0.1', servername: undefined })
      let got = ''
      tls.on('secureConnect', () => tls.write(text + '\n'))
      tls.on('data', (d) => {
        got += d
        if (got.endsWith('\n')) tls.end()
      })
      tls.on('close', () => { clearTimeout(t); resolve({ status: 200, echo: got.trim() }) })
      tls.on('error', (e) => { clearTimeout(t); resolve({ status: 200, error: String(e) }) })
    })
    req.on('response', (res) => {
      let body = ''
      res.on('data', (d) => { body += d })
      res.on('end', () => { clearTimeout(t); resolve({ status: res.statusCode, body }) })
    })
    req.on('error', (e) => { clearTimeout(t); resolve({ status: -1, error: String(e) }) })
    req.end()
  })
}

// The allow-listed host: a TLS echo server, one line at a time.
const echoPort = await listen(createTls(tlsOpts, (s) => {
  s.on('data', (d) => s.write(d))
  s.on('error', () => {})
}))

// The model API: records what reached it, answers by path.
const seen = []
const upPort = await listen(createHttps(tlsOpts, (req, res) => {
  const parts = []
  req.on('data', (d) => parts.push(d))
  req.on('end', () => {
    const body = Buffer.concat(parts).toString()
    seen.push({ method: req.method, url: req.url, headers: req.headers, body })
    if (req.url === '/v1/stream') {
      // server-sent events, chunked, spread out in time
      res.writeHead(200, { 'Content-Type': 'text/event-stream' })
      let n = 0
      const tick = () => {
        if (n === 3) { res.end('data: [DONE]\n\n'); return }
        res.write(`data: {"n":${n++}}\n\n`)
        setTimeout(tick, 150)
      }
      tick()
      return
    }
    if (req.url === '/v1/big') {
      const big = Buffer.alloc(4 << 20, 'abcdefghijklmnopqrstuvwxyz')
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': big.length })
      res.end(big)
      return
    }
    const out = JSON.stringify({ ok: true, path: req.url, got: body.length, sha: createHash('sha256').update(body).digest('hex') })
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(out) })
    res.end(out)
  })
}))

const sock = join(dir, 'proxy.sock')
const direct = { socket: sock }
const rd = new Relayd()
ok(await rd.send('portmap 443 ' + echoPort, /^portmap /) !== null, 'the driver stands in for port 443')
ok(await rd.send(`proxy ${sock} https://127.0.0.1:${upPort} ${KEY} 100 1000 127.0.0.1 Example.TEST`, /^proxy ready/) !== null,
  'relayd takes the proxy configuration and the socket')
await sleep(200)

// 1. CONNECT to an allowed host: TLS end to end, both ways
let r = await tunnel(direct, '127.0.0.1:443', 'hello through the tunnel')
ok(r.status === 200 && r.echo === 'hello through the tunnel', 'CONNECT to an allow-listed host carries TLS both ways', JSON.stringify(r))

// 2. CONNECT elsewhere: refused, logged, reported
r = await tunnel(direct, 'evil.example:443', 'x')
ok(r.status === 403 && /not on the allow-list/.test(r.body), 'CONNECT to a host off the allow-list is 403 with a reason', JSON.stringify(r))
ok(await rd.wait(/^proxy-stats \d+ [1-9]\d* 0 403 CONNECT to evil.example/) !== null, 'the refusal reaches the supervisor as IMSG_PROXY_STATS', rd.lines.join('\n'))
ok(/proxy: refused \(403\): CONNECT to evil\.example/.test(rd.stderr), 'the refusal is logged', rd.stderr)
r = await tunnel(direct, '127.0.0.1:22', 'x')
ok(r.status === 403 && /port 22/.test(r.body), 'CONNECT to another port is 403', JSON.stringify(r))
r = await tunnel(direct, 'example.test:443', 'x')
ok(r.status === 502 && /cannot resolve example\.test/.test(r.body), 'the allow-list matches without regard to case (then the name does not resolve: 502)', JSON.stringify(r))

// 3. the model API: key put in, the agent's own credentials gone
seen.length = 0
r = await http(direct, {
  method: 'POST',
  path: '/v1/chat/completions',
  headers: { Authorization: 'Bearer agent-made-up', 'Proxy-Authorization': 'Basic eDp5', 'Content-Type': 'application/json', Connection: 'keep-alive, X-Drop-Me', 'X-Drop-Me': '1', 'X-Keep-Me': '2' },
  body: JSON.stringify({ model: 'gpt', messages: [{ role: 'user', content: 'hi' }] })
})
let up = seen[0]
ok(r.status === 200 && JSON.parse(r.body).path === '/v1/chat/completions', 'POST /v1/chat/completions reaches the upstream over TLS and comes back', JSON.stringify(r))
ok(up !== undefined && up.headers.authorization === `Bearer ${KEY}`, 'the upstream gets the operator key', JSON.stringify(up?.headers))
ok(up !== undefined && !JSON.stringify(up.headers).includes('agent-made-up') && up.headers['proxy-authorization'] === undefined,
  "the agent's Authorization and Proxy-Authorization are stripped", JSON.stringify(up?.headers))
ok(up !== undefined && up.headers.host === `127.0.0.1:${upPort}` && up.headers.connection === 'close' &&
  up.headers['x-drop-me'] === undefined && up.headers['x-keep-me'] === '2', 'Host is the upstream; hop-by-hop fields are dropped', JSON.stringify(up?.headers))
ok(up !== undefined && up.body.includes('"content":"hi"'), 'the body arrives whole', up?.body)
ok(!r.body.includes(KEY) && !JSON.stringify(r.headers).includes(KEY), 'the agent never sees the key')

// 4. absolute form, a chunked request body, a streamed SSE answer
seen.length = 0
r = await http(direct, {
  method: 'POST',
  path: 'http://api.openai.com/v1/stream',
  headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
  chunks: ['{"stream":', 'true,"pad":"', 'x'.repeat(70000), '"}']
})
up = seen[0]
ok(r.status === 200 && r.body === 'data: {"n":0}\n\ndata: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n',
  'absolute-form POST gets the SSE stream back whole', JSON.stringify(r).slice(0, 400))
ok(r.times !== undefined && r.times.length >= 2 && r.times[r.times.length - 1] - r.times[0] >= 200, 'the events arrive as they are sent, not at the end', JSON.stringify(r.times))
ok(up !== undefined && up.url === '/v1/stream' && up.body.length === 70000 + 24, 'a chunked request body is forwarded whole', `${up?.url} ${up?.body.length}`)

r = await http(direct, { path: '/v1/models' })
ok(r.status === 200 && JSON.parse(r.body).path === '/v1/models', 'GET /v1/models is forwarded', JSON.stringify(r))

// big bodies both ways: back-pressure, not buffering
const bigBody = Buffer.alloc(3 << 20, 'zyxwvutsrqponmlkjihgfedcba')
r = await http(direct, { method: 'POST', path: '/v1/upload', headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': bigBody.length }, body: bigBody })
ok(r.status === 200 && JSON.parse(r.body).got === bigBody.length &&
  JSON.parse(r.body).sha === createHash('sha256').update(bigBody).digest('hex'), 'a 3 MiB request body arrives whole', r.body)
r = await http(direct, { path: '/v1/big' })
ok(r.status === 200 && r.body.length === 4 << 20 && r.body === Buffer.alloc(4 << 20, 'abcdefghijklmnopqrstuvwxyz').toString(),
  'a 4 MiB answer comes back whole', `${r.status} ${r.body?.length}`)

// 5. what is not forwarded
r = await http(direct, { method: 'DELETE', path: '/v1/files/x' })
ok(r.status === 403 && /method DELETE/.test(r.body), 'other methods are 403', JSON.stringify(r))
r = await http(direct, { path: '/admin' })
ok(r.status === 403 && /only \/v1\//.test(r.body), 'paths outside /v1/ are 403', JSON.stringify(r))
r = await http(direct, { path: '/v1/../admin' })
ok(r.status === 400, 'dot segments are refused', JSON.stringify(r))
r = await http(direct, { path: 'https://api.openai.com/v1/models' })
ok(r.status === 403, 'an https:// absolute form (no CONNECT) is 403', JSON.stringify(r))
let text = await raw(sock, 'HELLO WORLD\r\n\r\n')
ok(/^HTTP\/1\.1 400 /.test(text) && /bad request head/.test(text), 'a garbage head is 400 with a reason', text)
text = await raw(sock, 'GET /v1/models HTTP/1.1\nHost: x\n\n')
ok(/^HTTP\/1\.1 400 /.test(text) && /bare LF/.test(text), 'bare LF line ends are 400', text)
text = await raw(sock, 'POST /v1/x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n')
ok(/^HTTP\/1\.1 400 /.test(text) && /both Content-Length and Transfer-Encoding/.test(text), 'Content-Length with Transfer-Encoding is 400', text)
text = await raw(sock, 'GET /v1/models HTTP/1.1\r\nX: ' + 'a'.repeat(17000) + '\r\n\r\n')
ok(/^HTTP\/1\.1 400 /.test(text), 'an oversized head is 400', text.slice(0, 200))
text = await raw(sock, 'POST /v1/x HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n')
ok(/^HTTP\/1\.1 413 /.test(text), 'a body over the limit is 413', text)

// the connection cap: 64 idle heads, then the next is closed at once
const idle = []
for (let i = 0; i < 64; i++) {
  idle.push(await new Promise((resolve) => {
    const s2 = netConnect(sock)
    s2.on('connect', () => resolve(s2))
    s2.on('error', () => resolve(s2))
  }))
}
await sleep(300)
text = await raw(sock, 'GET /v1/models HTTP/1.1\r\n\r\n')
ok(text === '' || text === '(EPIPE)' || text === '(ECONNRESET)', 'the 65th connection is closed without a word', text)
ok(await rd.wait(/^proxy-stats .* more than 64 connections/) !== null, 'and reported', rd.lines.join('\n'))
for (const s2 of idle) s2.destroy()
await sleep(300)
r = await http(direct, { path: '/v1/models' })
ok(r.status === 200, 'room again once they are gone', JSON.stringify(r))

// 6. the bridge: a TCP port in front of the socket
const probe = createNet()
const bridgePort = await new Promise((resolve) => probe.listen(0, '127.0.0.1', () => resolve(probe.address().port)))
await new Promise((resolve) => probe.close(resolve))
const shell = track(spawn('sh', ['-c', `"$0" 127.0.0.1 ${bridgePort} "$1" & echo $!; wait`, BRIDGE, sock], { stdio: ['ignore', 'pipe', 'pipe'] }))
let bridgeErr = ''
shell.stderr.on('data', (d) => { bridgeErr += d })
const bridgePid = Number(await new Promise((resolve) => createInterface({ input: shell.stdout }).once('line', resolve)))
const viaBridge = { host: '127.0.0.1', port: bridgePort }
for (let i = 0; i < 50; i++) {
  const up2 = await new Promise((resolve) => {
    const s = netConnect(bridgePort, '127.0.0.1')
    s.on('connect', () => { s.destroy(); resolve(true) })
    s.on('error', () => resolve(false))
  })
  if (up2) break
  await sleep(100)
}
seen.length = 0
r = await http(viaBridge, { method: 'POST', path: '/v1/chat/completions', headers: { 'Content-Type': 'application/json' }, body: '{"via":"bridge"}' })
ok(r.status === 200 && seen[0]?.headers.authorization === `Bearer ${KEY}`, 'a request through openagents-netbridge reaches the upstream with the key', JSON.stringify(r) + bridgeErr)
r = await tunnel(viaBridge, '127.0.0.1:443', 'bridged tunnel')
ok(r.status === 200 && r.echo === 'bridged tunnel', 'CONNECT through the bridge', JSON.stringify(r))
r = await http(viaBridge, { path: '/admin' })
ok(r.status === 403 && /only \/v1\//.test(r.body), 'a refusal reads whole through the bridge', JSON.stringify(r))
shell.kill('SIGKILL')
let alive = true
for (let i = 0; i < 50 && alive; i++) {
  await sleep(100)
  try { process.kill(bridgePid, 0) } catch { alive = false }
}
ok(!alive, 'the bridge dies with its parent')
if (alive) process.kill(bridgePid, 'SIGKILL')

// a head that never ends is cut off
const slowStart = Date.now()
text = await raw(sock, 'GET /v1/models HTTP/1.1\r\nX: slow')
ok(/^HTTP\/1\.1 400 /.test(text) && /timed out/.test(text) && Date.now() - slowStart < 20000, 'an unfinished head times out with 400', text)

ok(!rd.lines.includes('gone'), 'relayd lived through it all (under its seccomp filter)', rd.stderr.slice(-2000))
ok(await rd.close() === 0, 'relayd_drive ends cleanly')

// 7. the per-minute cap, on a fresh relayd
const rd2 = new Relayd()
const sock2 = join(dir, 'proxy2.sock')
await rd2.send(`proxy ${sock2} https://127.0.0.1:${upPort} - 2 100 127.0.0.1`, /^proxy ready/)
await sleep(200)
const capped = { socket: sock2 }
seen.length = 0
const a = await http(capped, { path: '/v1/models' })
const b = await http(capped, { path: '/v1/models' })
const c = await http(capped, { path: '/v1/models' })
ok(a.status === 200 && b.status === 200, 'requests under the cap pass', `${a.status} ${b.status}`)
ok(c.status === 429 && /2 requests a minute/.test(c.body), 'the request over the per-minute cap is 429 with a reason', JSON.stringify(c))
ok(seen.length === 2 && seen.every((s) => s.headers.authorization === undefined), 'no key configured: none is sent', JSON.stringify(seen.map((s) => s.headers)))
ok(await rd2.wait(/^proxy-stats 2 0 1 429/) !== null, 'the cap is reported', rd2.lines.join('\n'))
// a new configuration (a reload) keeps the counts: 2 of a daily 3 used
await rd2.send(`proxy ${sock2} https://127.0.0.1:${upPort} - 0 3 127.0.0.1`, /^proxy ready/)
await sleep(200)
const d1 = await http(capped, { path: '/v1/models' })
const d2 = await http(capped, { path: '/v1/models' })
ok(d1.status === 200 && d2.status === 429 && /daily cap of 3/.test(d2.body), 'the daily cap holds across a new configuration', `${d1.status} ${JSON.stringify(d2)}`)
ok(await rd2.close() === 0, 'the second relayd_drive ends cleanly')

// 8. an upstream relayd cannot verify: 502 with the reason
const env = { ...process.env }
delete env.SSL_CERT_FILE
delete env.SSL_CERT_DIR
const rd3 = new Relayd(env)
const sock3 = join(dir, 'proxy3.sock')
await rd3.send(`proxy ${sock3} https://127.0.0.1:${upPort} ${KEY} 10 10`, /^proxy ready/)
await sleep(200)
seen.length = 0
r = await http({ socket: sock3 }, { path: '/v1/models' })
ok(r.status === 502 && /certificate verify failed/.test(r.body) && seen.length === 0, 'an upstream certificate relayd does not trust is 502, and nothing is sent', JSON.stringify(r) + rd3.stderr)
r = await tunnel({ socket: sock3 }, '127.0.0.1:443', 'x')
ok(r.status === 403, 'an empty allow-list allows no CONNECT', JSON.stringify(r))
ok(await rd3.close() === 0, 'the third relayd_drive ends cleanly')

for (const s of servers) s.close()
finish()
