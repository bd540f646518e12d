// An agent reaching the model API from inside the job sandbox: the whole
// path of DESIGN.md's egress proxy, agent -> openagents-netbridge on
// 127.0.0.1:3128 in the sandbox -> <jobs>/proxy.sock -> relayd -> TLS to
// the upstream, with the operator's key put in on the way.  The upstream
// is a node https server on 127.0.0.1 with a self-signed certificate
// that relayd trusts through SSL_CERT_FILE; it records every request.
// The agent (agent.sh `proxy`) also tries a CONNECT to a host off the
// allow-list and a direct connection to the upstream's port, and writes
// what it saw to src/proxy-report.txt inside its patch.
// Container isolation only (exit 77 under OA_TEST_ISOLATION=local: there
// is no bridge and no network namespace, so the probes mean nothing).
import { readFileSync } from 'node:fs'
import { createServer } from 'node:https'
import {
  check, deadline, tempdir, bringUp, wrapUp, post, patchJob, generateSecretKey, statusOf,
  addedLines, patchSuccessChecks, until, ISOLATION
} from './jobslib.mjs'
import { selfSignedCert } from '../interop/lib.mjs'

if (ISOLATION !== 'container') {
  console.log(`# skip: the proxy is reached through the container's bridge, not under ${ISOLATION}`)
  console.log('0 passed, 0 failed')
  process.exit(77)
}

deadline(240000)
const KEY = 'sk-test-injected'
const DENY = 'evil.example'
const REPLY = 'hello from the fake upstream'

const tmp = tempdir()
const { key: keyPem, cert: certPem } = selfSignedCert(tmp)

// The model API: records what reached it, answers like a chat completion.
const seen = []
const upstream = createServer({ key: readFileSync(keyPem), cert: readFileSync(certPem) }, (req, res) => {
  const parts = []
  req.on('data', (d) => parts.push(d))
  req.on('end', () => {
    seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(parts).toString() })
    const out = JSON.stringify({
      id: 'chatcmpl-oa-test',
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: REPLY }, finish_reason: 'stop' }]
    })
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(out) })
    res.end(out)
  })
})
const upPort = await new Promise((resolve) => upstream.listen(0, '127.0.0.1', () => resolve(upstream.address().port)))

const world = await bringUp({
  env: { SSL_CERT_FILE: certPem, OPENAI_API_KEY: KEY },
  extraConfig: [
    '[tunnel]', 'proxy_allowlist = ["github.com"]', '',
    '[proxy]', `upstream = "https://127.0.0.1:${upPort}"`
  ]
})
const { fx, d, col, pk, dir } = world
const [A] = world.relays
const job = (agent, issue = '') => patchJob(fx, agent, { provider: pk, issue })

const req = await post([A.url], generateSecretKey(), job('proxy', `oa-probe-upstream=127.0.0.1:${upPort} oa-probe-deny=${DENY}`))
const res = await col.waitFor(req.id, (e) => e.kind === 6932, 90000)
check(res, 'the proxy job ends with a PatchGen result within 90 s', d.tail())
if (res) {
  check(statusOf(res) === 'success', 'the result is a success', JSON.stringify(res.tags))
  for (const [cond, desc, x] of patchSuccessChecks(res, {
    req, provider: pk, fixture: fx, dir, ref: fx.sha, expect: { files: ['src/calc.sh', 'src/proxy-report.txt'] }
  })) check(cond, `result: ${desc}`, x)
}
const lines = res ? addedLines(res.content, 'src/proxy-report.txt') : []
const report = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
const rep = JSON.stringify(report)
console.log(`# the agent's report: ${rep}`)
check(lines.length > 0, 'the agent reports back in src/proxy-report.txt', res?.content?.slice(0, 2000))
check(report.proxy_url === 'http://127.0.0.1:3128', 'the agent gets OA_PROXY_URL=http://127.0.0.1:3128', rep)

// the model API, through the bridge and relayd
check(report.api_status === '200', 'POST $OA_PROXY_URL/v1/chat/completions answers 200 inside the sandbox', rep)
check(report.api_reply === REPLY, "the agent reads the upstream's answer", rep)
const chats = seen.filter((s) => s.url === '/v1/chat/completions')
check(chats.length === 1 && chats[0].method === 'POST', 'the upstream saw one POST /v1/chat/completions', JSON.stringify(seen))
check(chats[0]?.headers.authorization === `Bearer ${KEY}`, `the upstream saw exactly Authorization: Bearer ${KEY}`, JSON.stringify(chats[0]?.headers))
check(seen.length > 0 && !seen.some((s) => JSON.stringify(s).includes('agent-key')), "the agent's own Bearer agent-key never reaches the upstream", JSON.stringify(seen))
check(chats[0]?.body.includes('hello from the sandbox'), "the agent's JSON body arrives whole", chats[0]?.body)
check(report.key_in_env === 'no', "the operator's key is nowhere in the agent's environment", rep)

// what must not pass
check(report.connect_status === '403', `CONNECT ${DENY}:443 (off the allow-list) gets 403`, rep)
check(/not on the allow-list/.test(report.connect_reason || ''), 'with the reason: not on the allow-list', rep)
check(/^blocked/.test(report.direct || ''), `a direct connection to the upstream's 127.0.0.1:${upPort} fails`, rep)
check(!seen.some((s) => s.url !== '/v1/chat/completions'), 'nothing else reached the upstream', JSON.stringify(seen.map((s) => s.url)))
const refusal = new RegExp(`refused \\(403\\): CONNECT to ${DENY.replace('.', '\\.')}`)
check(await until(() => d.mentions(refusal), 10000), "the daemon's log shows the refusal", d.tail())

await wrapUp(world, 'then a normal job succeeds', () => job('fix'), (r) => statusOf(r) === 'success')
