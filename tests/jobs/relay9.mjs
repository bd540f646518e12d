// The npm relay engine of tests/interop/relay.mjs, made to keep NIP-09
// deletion requests.  @nostr-relay/core 0.0.40 applies a kind 5 (it
// deletes the events it names) and then drops it: it is neither stored
// nor sent to subscribers, so through relay.mjs a provider can never see
// a buyer's cancellation.  NIP-09 says relays SHOULD go on publishing
// deletion requests; this relay stores and broadcasts them after the
// core has applied them.  Everything else is the plain engine.
//
//   node relay9.mjs --port P [--db FILE]     prints `ready PORT`
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// the engine is installed under tests/interop
const req = createRequire(join(fileURLToPath(import.meta.url), '..', '..', 'interop', 'package.json'))
const { WebSocketServer } = req('ws')
const { NostrRelay } = req('@nostr-relay/core')
const { Validator } = req('@nostr-relay/validator')
const { EventRepositorySqlite } = req('@nostr-relay/event-repository-sqlite')

const a = process.argv.slice(2)
const arg = (name, def) => { const i = a.indexOf(name); return i >= 0 && i + 1 < a.length ? a[i + 1] : def }
const port = Number(arg('--port', 'x'))
if (!Number.isInteger(port)) { process.stderr.write('usage: node relay9.mjs --port P [--db FILE]\n'); process.exit(2) }

const repo = new EventRepositorySqlite(arg('--db', ':memory:'))
await repo.init()
// no result caches, as in relay.mjs: a repeated REQ sees new events
const relay = new NostrRelay(repo, { filterResultCacheTtl: 0, eventHandlingResultCacheTtl: 0 })
relay.register({
  async handleMessage (ctx, message, next) {
    const out = await next()
    const ev = message[0] === 'EVENT' ? message[1] : null
    if (ev && ev.kind === 5 && out && out.success !== false) {
      await repo.upsert(ev)
      await relay.broadcast(ev)
    }
    return out
  }
})
const validator = new Validator()

const http = createServer((q, res) => { res.writeHead(426); res.end('use a WebSocket\n') })
const wss = new WebSocketServer({ server: http })
wss.on('connection', (ws, q) => {
  relay.handleConnection(ws, q.socket.remoteAddress)
  ws.on('message', async (data) => {
    try {
      await relay.handleMessage(ws, await validator.validateIncomingMessage(data))
    } catch (e) {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(['NOTICE', `error: ${e.message}`]))
    }
  })
  ws.on('close', () => relay.handleDisconnect(ws))
  ws.on('error', () => {})
})
http.listen(port, '127.0.0.1', () => process.stdout.write(`ready ${http.address().port}\n`))
const stop = async () => {
  for (const ws of wss.clients) ws.terminate()
  await relay.destroy()
  await repo.destroy()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
