// Interop of relayd's WebSocket client (relayd/ws.c, on the command
// line as tests/wsprobe) with the npm `ws` server, over plain TCP and
// TLS on 127.0.0.1: messages both ways, reassembly, limits, pings, both
// close handshakes, refused upgrades, certificate checks and the NIP-11
// GET.  Raw `net` servers play the broken peers `ws` will not imitate.
import { WebSocketServer } from 'ws'
import { createServer as createHttp } from 'node:http'
import { createServer as createHttps } from 'node:https'
import { createServer as createNet } from 'node:net'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BUILD, ok, finish, tempdir, selfSignedCert } from './lib.mjs'

const WSPROBE = join(BUILD, 'tests', 'wsprobe')
const probes = new Set()
const servers = []
const sha = (b) => createHash('sha256').update(b).digest('hex')
const pattern = (n) => Buffer.from('abcdefghij'.repeat(Math.ceil(n / 10)).slice(0, n))

// wsprobe, bounded in time; resolves with its lines and exit status.
function probe (args, ms = 15000, env = process.env) {
  return new Promise((resolve) => {
    const p = spawn(WSPROBE, args, { stdio: ['ignore', 'pipe', 'pipe'], env })
    probes.add(p)
    let out = ''
    let err = ''
    p.stdout.on('data', (d) => { out += d })
    p.stderr.on('data', (d) => { err += d })
    const t = setTimeout(() => p.kill('SIGKILL'), ms)
    p.on('exit', (code, signal) => {
      clearTimeout(t)
      probes.delete(p)
      resolve({ lines: out.split('\n').filter((l) => l !== ''), code, signal, err })
    })
  })
}

const show = (r) => `exit ${r.code}${r.signal ? ' ' + r.signal : ''}\n${r.lines.join('\n')}\n${r.err}`
const endOf = (r) => r.lines.find((l) => l.startsWith('end ')) ?? '(no end)'

function listen (srv) {
  servers.push(srv)
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv.address().port)))
}

// A `ws` server on top of an http(s) server, scripted by the messages
// it gets: echo unless the text is a command.
function wsServer (httpSrv, state) {
  const wss = new WebSocketServer({ server: httpSrv })
  wss.on('connection', (ws, req) => {
    state.req = req
    ws.on('close', (code, reason) => state.closes.push({ code, reason: reason.toString() }))
    ws.on('pong', (data) => state.pongs.push(data.toString()))
    ws.on('error', () => {})
    ws.on('message', (data, isBinary) => {
      const text = data.toString()
      state.received.push(data.length)
      const [cmd, arg] = text.split(':')
      if (cmd === 'frag') {
        const buf = pattern(Number(arg))
        const step = Math.ceil(buf.length / 17)
        for (let off = 0; off < buf.length; off += step) {
          const end = Math.min(off + step, buf.length)
          ws.send(buf.subarray(off, end), { binary: false, fin: end === buf.length })
        }
      } else if (cmd === 'over') ws.send(pattern(Number(arg)))
      else if (cmd === 'close-me') ws.close(4000, 'bye')
      else if (cmd === 'kill') ws.terminate()
      else if (cmd === 'binary-me') ws.send(Buffer.from([1, 2, 3]), { binary: true })
      else if (cmd === 'bad-utf8') ws.send(Buffer.from([0x61, 0xff, 0x62]), { binary: false })
      else if (cmd === 'masked') ws.send('masked frame', { mask: true })
      else if (cmd === 'ping-me') ws.ping('abc')
      else ws.send(data, { binary: isBinary })
    })
  })
  return wss
}

const fresh = () => ({ req: null, closes: [], pongs: [], received: [] })
const waitFor = async (cond, ms = 3000) => {
  const end = Date.now() + ms
  while (!cond() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20))
  return cond()
}

// A raw server answering any request with these bytes (and keeping the
// socket open unless told to end it).
function rawServer (answer, end = false) {
  return createNet((sock) => {
    let buf = ''
    sock.on('error', () => {})
    sock.on('data', (d) => {
      buf += d
      if (answer !== null && buf.includes('\r\n\r\n')) {
        if (end) sock.end(answer); else sock.write(answer)
        buf = ''
      }
    })
  })
}

const dir = tempdir()
const { key, cert } = selfSignedCert(dir)

const info = JSON.stringify({ name: 'interop relay', supported_nips: [1, 11, 42], limitation: { max_message_length: 65536 } })
const infoRequests = []
function infoHandler (req, res) {
  infoRequests.push({ url: req.url, headers: req.headers })
  if (req.headers.accept !== 'application/nostr+json') {
    res.writeHead(406); res.end(); return
  }
  if (req.url === '/chunked') {
    res.writeHead(200, { 'Content-Type': 'application/nostr+json', 'Access-Control-Allow-Origin': '*' })
    res.write(info.slice(0, 10))
    setTimeout(() => { res.write(info.slice(10, 50)); res.end(info.slice(50)) }, 50)
  } else if (req.url === '/length') {
    res.writeHead(200, { 'Content-Type': 'application/nostr+json', 'Content-Length': Buffer.byteLength(info) })
    res.end(info)
  } else if (req.url === '/big') {
    res.writeHead(200, { 'Content-Type': 'application/nostr+json' })
    res.end(JSON.stringify({ name: 'x'.repeat(100000) }))
  } else {
    res.writeHead(404, { 'Content-Type': 'text/plain' }); res.end('no')
  }
}

try {
  const plain = createHttp(infoHandler)
  const st = fresh()
  wsServer(plain, st)
  const port = await listen(plain)
  const url = `ws://127.0.0.1:${port}`

  // 1. echo, and the upgrade request as the server saw it
  {
    const r = await probe([`${url}/relay?x=1`, 'send:hello', 'wait:1', 'send:h\u00e9llo \u{1f355}', 'wait:2', 'close:1000:done'])
    ok(r.lines[0] === 'open' && r.lines[1] === 'message 5 hello', 'echo of a text message', show(r))
    const utf = Buffer.from('h\u00e9llo \u{1f355}')
    ok(r.lines[2] === `message ${utf.length} sha256:${sha(utf)}`, 'echo of a UTF-8 message', show(r))
    ok(endOf(r) === 'end closed close 1000 done', 'client close handshake: the server echoes 1000', show(r))
    const h = st.req?.headers ?? {}
    ok(st.req?.url === '/relay?x=1' && h.host === `127.0.0.1:${port}` &&
      h['sec-websocket-version'] === '13' && Buffer.from(h['sec-websocket-key'] ?? '', 'base64').length === 16 &&
      /^openagents-provider\//.test(h['user-agent'] ?? '') && h.upgrade === 'websocket' &&
      h['sec-websocket-extensions'] === undefined,
    'upgrade request: path, Host, version 13, 16-byte key, User-Agent, no extensions', JSON.stringify(h))
    ok(await waitFor(() => st.closes.length === 1) && st.closes[0].code === 1000 && st.closes[0].reason === 'done',
      'server sees the client close with code and reason', JSON.stringify(st.closes))
  }

  // 2. 1 MiB each way: reassembly of 17 fragments, and a big send
  {
    st.received = []
    const n = 1024 * 1024
    const r = await probe(['-m', String(2 * n), url, `send:frag:${n}`, 'wait:1', `big:${n}`, 'wait:2', 'close:1000'])
    ok(r.lines[1] === `message ${n} sha256:${sha(pattern(n))}`, '1 MiB message in 17 fragments reassembled', show(r))
    const ours = Buffer.from('0123456789'.repeat(n / 10 + 1).slice(0, n))
    ok(r.lines[2] === `message ${n} sha256:${sha(ours)}` && st.received.includes(n),
      '1 MiB message sent and echoed', show(r))
    ok(endOf(r).startsWith('end closed'), '... then closed cleanly', show(r))
  }

  // 3. over the limit: fragmented and whole
  {
    st.closes = []
    let r = await probe(['-m', '1000', url, 'send:over:2000', 'wait:1'])
    ok(endOf(r) === 'end protocol message over 1000 bytes' && !r.lines.some((l) => l.startsWith('message')),
      'a message over the limit ends the connection as a protocol error', show(r))
    // the close of the connection before may land after the reset: look for ours
    ok(await waitFor(() => st.closes.some((c) => c.code === 1009)), 'the server gets close 1009',
      JSON.stringify(st.closes))
    r = await probe(['-m', '1000', url, 'send:frag:1500', 'wait:1'])
    ok(endOf(r) === 'end protocol message over 1000 bytes', 'fragments adding up over the limit too', show(r))
    r = await probe(['-m', '1000', url, 'send:frag:1000', 'wait:1', 'close:1000'])
    ok(r.lines[1]?.startsWith('message 1000 ') && endOf(r).startsWith('end closed'), 'exactly the limit passes', show(r))
  }

  // 4. pings both ways
  {
    st.pongs = []
    const r = await probe([url, 'ping', 'pong', 'ping', 'pong', 'send:ping-me', 'wait:1', 'sleep:200', 'close:1000'])
    const pongs = r.lines.filter((l) => /^pong \d+$/.test(l))
    ok(pongs.length === 2 && pongs.every((l) => Number(l.split(' ')[1]) < 1000), 'ping RTT reported for each pong', show(r))
    ok(st.pongs.includes('abc'), 'a server ping is answered with its payload', JSON.stringify(st.pongs))
  }

  // 5. the server ends it: close frame, bare TCP close, bad frames
  {
    let r = await probe([url, 'send:close-me', 'wait:1'])
    ok(endOf(r) === 'end closed close 4000 bye', 'close handshake started by the server (code and reason)', show(r))
    r = await probe([url, 'send:kill', 'wait:1'])
    ok(endOf(r).startsWith('end eof'), 'TCP close without a close frame is an EOF end', show(r))
    st.closes = []
    r = await probe([url, 'send:binary-me', 'wait:1'])
    ok(endOf(r) === 'end protocol binary message', 'a binary message is a protocol error', show(r))
    ok(await waitFor(() => st.closes.some((c) => c.code === 1003)), '... closed with 1003',
      JSON.stringify(st.closes))
    r = await probe([url, 'send:bad-utf8', 'wait:1'])
    ok(endOf(r).startsWith('end protocol invalid UTF-8'), 'invalid UTF-8 in a text message is a protocol error', show(r))
    r = await probe([url, 'send:masked', 'wait:1'])
    ok(endOf(r).startsWith('end protocol bad frame (close 1002)'), 'a masked frame from the server is refused', show(r))
  }

  // 6. ws_free from inside a callback, then nothing more
  {
    const r = await probe([url, 'send:hello', 'wait:1', 'free'])
    ok(r.code === 0 && r.lines.join(',') === 'open,message 5 hello,freed', 'ws_free inside the message callback', show(r))
  }

  // 7. refused upgrades
  {
    const wrong = rawServer('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n')
    let p = await listen(wrong)
    let r = await probe([`ws://127.0.0.1:${p}/`])
    ok(endOf(r) === 'end handshake wrong Sec-WebSocket-Accept', 'a wrong Sec-WebSocket-Accept ends the handshake', show(r))

    const moved = rawServer('HTTP/1.1 301 Moved Permanently\r\nLocation: wss://elsewhere.test/relay\r\n' +
      'Content-Length: 0\r\nConnection: close\r\n\r\n', true)
    p = await listen(moved)
    r = await probe([`ws://127.0.0.1:${p}/`])
    ok(endOf(r) === 'end handshake redirect 301 to wss://elsewhere.test/relay, not followed',
      'a 301 is refused, naming the Location', show(r))

    const ext = rawServer(null)
    ext.removeAllListeners('connection')
    ext.on('connection', (sock) => {
      let buf = ''
      sock.on('error', () => {})
      sock.on('data', (d) => {
        buf += d
        const m = /sec-websocket-key: *(\S+)/i.exec(buf)
        if (!m || !buf.includes('\r\n\r\n')) return
        const accept = createHash('sha1').update(m[1] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64')
        sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`)
      })
    })
    p = await listen(ext)
    r = await probe([`ws://127.0.0.1:${p}/`])
    ok(endOf(r) === 'end handshake unexpected extension permessage-deflate', 'an extension we did not offer is refused', show(r))

    const notws = rawServer('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi')
    p = await listen(notws)
    r = await probe([`ws://127.0.0.1:${p}/`])
    ok(endOf(r) === 'end handshake upgrade refused: 200 OK', 'a 200 answer is a refused upgrade', show(r))

    const silent = rawServer(null)
    p = await listen(silent)
    const t0 = Date.now()
    r = await probe(['-T', '1', `ws://127.0.0.1:${p}/`])
    ok(endOf(r) === 'end handshake upgrade timed out' && Date.now() - t0 < 5000,
      'a server that never answers hits the handshake timer', show(r))

    const gone = createNet()
    p = await listen(gone)
    await new Promise((resolve) => gone.close(resolve))
    r = await probe([`ws://127.0.0.1:${p}/`])
    ok(endOf(r) === 'end connect connect: Connection refused', 'a refused connection', show(r))
  }

  // 8. TLS
  {
    const tls = createHttps({ key: readFileSync(key), cert: readFileSync(cert) }, infoHandler)
    const tst = fresh()
    wsServer(tls, tst)
    const tp = await listen(tls)
    let r = await probe(['-c', cert, '-H', '127.0.0.1', `wss://localhost:${tp}/`, 'send:secure', 'wait:1', 'close:1000:tls'])
    ok(r.lines[0] === 'open' && r.lines[1] === 'message 6 secure' && endOf(r) === 'end closed close 1000 tls',
      'wss:// with the test CA: echo and close', show(r))
    r = await probe(['-c', cert, `wss://127.0.0.1:${tp}/`, 'send:by-ip', 'wait:1', 'close:1000'])
    ok(r.lines[1] === 'message 5 by-ip', 'wss:// to an IP address checked against the IP SAN', show(r))
    r = await probe(['-c', cert, '-H', '127.0.0.1', `wss://wrong.test:${tp}/`])
    ok(/^end tls TLS: certificate verify failed: .*hostname mismatch/i.test(endOf(r)),
      'wss:// to a certificate for another name fails TLS', show(r))
    const env = { ...process.env }
    delete env.SSL_CERT_FILE
    delete env.SSL_CERT_DIR
    r = await probe(['-H', '127.0.0.1', `wss://localhost:${tp}/`], 15000, env)
    ok(/^end tls TLS: certificate verify failed: self[- ]signed/.test(endOf(r)),
      'wss:// with the system store refuses the self-signed certificate', show(r))
    r = await probe(['-c', cert, `wss://127.0.0.1:${port}/`])
    ok(endOf(r).startsWith('end tls TLS:'), 'wss:// to a plain HTTP server fails TLS', show(r))

    // NIP-11 over TLS
    r = await probe(['-i', '-c', cert, '-H', '127.0.0.1', `wss://localhost:${tp}/length`])
    ok(r.lines[0] === `info ${info.length} ${info}`, 'NIP-11 over https', show(r))
  }

  // 9. NIP-11 over http
  {
    infoRequests.length = 0
    let r = await probe(['-i', `${url}/chunked`])
    ok(r.lines[0] === `info ${info.length} ${info}`, 'NIP-11 document with chunked encoding', show(r))
    const h = infoRequests[0]?.headers ?? {}
    ok(h.accept === 'application/nostr+json' && h.connection === 'close' && h.host === `127.0.0.1:${port}`,
      'NIP-11 request: Accept, Connection: close, Host', JSON.stringify(h))
    r = await probe(['-i', `${url}/length`])
    ok(r.lines[0] === `info ${info.length} ${info}`, 'NIP-11 document with Content-Length', show(r))
    r = await probe(['-i', `${url}/missing`])
    ok(r.lines[0] === 'info-error HTTP 404 Not Found', 'NIP-11: a 404 is an error', show(r))
    r = await probe(['-i', '-m', '1000', `${url}/big`])
    ok(r.lines[0] === 'info-error document over 1000 bytes', 'NIP-11: a document over the limit is an error', show(r))

    const raw = rawServer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '5;ext=1\r\n{"a":\r\n3\r\n 1}\r\n0\r\nX-Trailer: 1\r\n\r\n')
    let p = await listen(raw)
    r = await probe(['-i', `ws://127.0.0.1:${p}/`])
    ok(r.lines[0] === 'info 8 {"a": 1}', 'NIP-11: chunk extensions and trailers, socket left open', show(r))
    const eof = rawServer('HTTP/1.1 200 OK\r\nContent-Type: application/nostr+json\r\n\r\n{"b":2}', true)
    p = await listen(eof)
    r = await probe(['-i', `ws://127.0.0.1:${p}/`])
    ok(r.lines[0] === 'info 7 {"b":2}', 'NIP-11: a body up to EOF', show(r))
    const short = rawServer('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{"c":', true)
    p = await listen(short)
    r = await probe(['-i', `ws://127.0.0.1:${p}/`])
    ok(r.lines[0] === 'info-error connection closed in the body', 'NIP-11: a truncated body is an error', show(r))
    const slow = rawServer(null)
    p = await listen(slow)
    r = await probe(['-i', '-T', '1', `ws://127.0.0.1:${p}/`])
    ok(r.lines[0] === 'info-error timed out', 'NIP-11: bounded by its timer', show(r))
  }
} catch (e) {
  ok(false, 'no exception', e.stack)
} finally {
  for (const p of probes) p.kill('SIGKILL')
  for (const s of servers) s.close()
  finish()
}
