// PatchGen end to end over two npm relays, with a nostr-tools buyer:
// a good fix (every §A.4 tag, and the buyer's own VERIFICATION.md run),
// a fix that breaks the tests, one that touches disallowed paths, an
// agent that outlives the time limit, the same request twice on two
// relays, and requests the provider must refuse with their E-codes.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  makeFixture, deadline, bringUp, wrapUp, post, patchJob, generateSecretKey, getPublicKey, patchSuccessChecks,
  failureChecks, verdictOf, statusOf, runCases, procsWith, until, sleep, fetchEvents, Wallet
} from './jobslib.mjs'

deadline(280000)
// [limits] time_secs caps every job (config.c allows 10 and up), so the
// slow agent meets it without waiting for a request's clamped minimum
// event_bytes: a patch that verifyd passes can still make a result too large (huge)
// pay_after_verify needs a wallet: every successful result carries an invoice
const world = await bringUp({
  nrelays: 2, capacity: 8, limits: { time_secs: 25, event_bytes: 131072 }, payments: 'pay_after_verify',
  walletUri: async (relays) => (await Wallet.start(relays[0].url, { name: 'wallet of jobs-patch' })).provider_uri
})
const { dir: T, fx, d, col, pk } = world
const [A, B] = world.relays
// the same repository, but not under [worker] allow_local_repos
const outside = makeFixture(join(T, 'elsewhere'))
const job = (agent = 'fix', opts = {}) => patchJob(fx, agent, { provider: pk, ...opts })
// a fresh buyer per job: no per-buyer rate limit gets in the way
const buyer = () => generateSecretKey()

await runCases({
  async fix (t) {
    const req = await post([A.url], buyer(), job('fix'))
    const res = await col.waitFor(req.id, (e) => e.kind === 6932, 90000)
    if (!t.ok(res, 'a 6932 result within 90 s', d.tail())) return
    const fb = col.feedback(req.id)
    t.ok(fb.length > 0 && statusOf(fb[0]) === 'processing' && fb[0].arrival < res.arrival,
      'a 7000 processing came first', fb.map((e) => JSON.stringify(e.tags)).join('\n'))
    for (const [c, desc, x] of patchSuccessChecks(res, { req, provider: pk, fixture: fx, dir: T, expect: { files: ['src/calc.sh'] } })) t.ok(c, desc, x)
    // workerd/work.h: the trajectory is kept in the job folder
    const traj = join(d.home, 'provider', 'jobs', `job_${req.id.slice(0, 16)}`, 'trajectory.jsonl')
    let text = ''
    try { text = readFileSync(traj, 'utf8') } catch {}
    t.ok(text.includes('stops one short'), "the agent's trajectory is kept in jobs/<job id>/trajectory.jsonl", traj)
    await sleep(3000)
    t.ok(col.results(req.id).length === 1, 'exactly one result')
  },

  async break (t) {
    const req = await post([A.url], buyer(), job('break'))
    t.ok(await col.waitEnd(req.id), 'the job ends within 90 s', d.tail())
    for (const [c, desc, x] of failureChecks(col, req, pk, 'E006', 'tests fail')) t.ok(c, desc, x)
  },

  async disallowed (t) {
    const req = await post([A.url], buyer(), job('disallowed'))
    t.ok(await col.waitEnd(req.id), 'the job ends within 90 s', d.tail())
    for (const [c, desc, x] of failureChecks(col, req, pk, 'E006', 'disallowed paths')) t.ok(c, desc, x)
    const v = verdictOf(col, req.id)
    t.ok(/docs\/README\.md|\.env/.test(v.text), 'the error names the disallowed path', v.text)
  },

  async empty (t) {
    const req = await post([A.url], buyer(), job('empty'))
    t.ok(await col.waitEnd(req.id), 'the job ends within 90 s')
    for (const [c, desc, x] of failureChecks(col, req, pk, 'E006', 'no change')) t.ok(c, desc, x)
  },

  async huge (t) {
    // the patch passes verifyd's size check, the result with it does not fit
    const req = await post([A.url], buyer(), job('huge:134000'))
    t.ok(await col.waitEnd(req.id), 'the job ends within 90 s')
    for (const [c, desc, x] of failureChecks(col, req, pk, 'E005', 'a result too large for relays')) t.ok(c, desc, x)
    // the log comes through a pipe: give it a moment
    t.ok(await until(() => d.log.includes('larger than relays take'), 5000), 'the log says why', d.tail())
  },

  async slow (t) {
    const sig = '3599.31'
    const t0 = Date.now()
    const req = await post([A.url], buyer(), job(`slow:${sig}`, { params: { time_limit_secs: '5' } }))
    t.ok(await until(() => procsWith(['sleep', sig]).length > 0, 60000), 'the slow agent starts')
    t.ok(await col.waitEnd(req.id, 100000), 'the job ends within 100 s', d.tail())
    const secs = (Date.now() - t0) / 1000
    t.ok(secs >= 5, `it was stopped after the limit, not before (${secs.toFixed(1)} s)`)
    for (const [c, desc, x] of failureChecks(col, req, pk, 'E004', 'time limit')) t.ok(c, desc, x)
    t.ok(await until(() => procsWith(['sleep', sig]).length === 0, 10000), 'the agent process is gone', procsWith(['sleep', sig]))
  },

  async duplicate (t) {
    // the same event three times: twice on A, once on B; on a branch name
    const sk = buyer()
    const req = await post([A.url, A.url, B.url], sk, job('fix', { params: { repo_ref: fx.branch } }))
    const res = await col.waitFor(req.id, (e) => e.kind === 6932, 90000)
    if (!t.ok(res, 'a result within 90 s', d.tail())) return
    t.ok(statusOf(res) === 'success', 'success on the branch ref', JSON.stringify(res.tags))
    await sleep(5000)
    t.ok(col.results(req.id).length === 1, 'exactly one result for a request seen on two relays', col.results(req.id).map((e) => e.id).join('\n'))
    // one acceptance; workerd's progress reports are processing feedback too
    t.ok(col.feedback(req.id).filter((e) => statusOf(e) === 'processing' &&
      e.tags.some((x) => x[0] === 'progress' && x[1] === '0')).length === 1, 'exactly one acceptance (processing, progress 0)')
    t.ok((d.log.match(new RegExp(`job request ${req.id} `, 'g')) || []).length === 1, 'the supervisor logs the request once')
    for (const r of [A, B]) {
      const got = await fetchEvents(r.url, { ids: [res.id] }, 5000)
      t.ok(got.length === 1, `the result is stored on relay ${r.name}`)
    }
  },

  async rejections (t) {
    const cases = [
      ['E009', 'an unsupported kind (RepoIndex, 5931)', { kind: 5931, tags: [['i', fx.url, 'url'], ['param', 'max_cost_sats', '10000'], ['p', pk]], content: '' }],
      ['E008', 'max_cost_sats below the price', job('fix', { params: { max_cost_sats: '1' } })],
      ['E001', 'no repository', job('fix', { omit: ['i:url'] })],
      ['E002', 'a repository outside allow_local_repos', { ...job('fix'), tags: job('fix').tags.map((x) => x[0] === 'i' && x[2] === 'url' ? ['i', `file://${outside.path}`, 'url'] : x) }],
      ['E003', 'a ref the repository does not have', job('fix', { params: { repo_ref: 'no-such-branch' } })]
    ]
    const posted = []
    for (const [code, what, tmpl] of cases) posted.push([code, what, await post([A.url], buyer(), tmpl)])
    // not addressed to us: ignored, no feedback at all
    const other = await post([A.url], buyer(), { kind: 5931, tags: [['i', fx.url, 'url'], ['p', getPublicKey(generateSecretKey())]], content: '' })
    const ends = await Promise.all(posted.map(([, , req]) => col.waitEnd(req.id, 60000)))
    posted.forEach(([code, what, req], i) => {
      t.ok(ends[i], `${what}: answered within 60 s`)
      for (const [c, desc, x] of failureChecks(col, req, pk, code, what)) t.ok(c, desc, x)
    })
    const e008 = posted[1][2]
    t.ok(!col.feedback(e008.id).some((e) => statusOf(e) === 'processing'), 'a job over budget is not started')
    t.ok(col.of(other.id).length === 0, 'an unsupported job for another provider is ignored')
  },

  async rate (t) {
    // one buyer, 30 requests in a minute (refused ones count too), then one more
    const sk = buyer()
    const tmpl = { kind: 5931, tags: [['i', fx.url, 'url'], ['param', 'max_cost_sats', '10000'], ['p', pk]], content: '' }
    const first = []
    for (let i = 0; i < 30; i++) first.push(await post([A.url], sk, { ...tmpl, content: `rate ${i}` }))
    const ends = await Promise.all(first.map((req) => col.waitEnd(req.id, 60000)))
    t.ok(ends.every(Boolean), 'the first 30 are answered')
    const codes = first.map((req) => verdictOf(col, req.id).codes)
    t.ok(codes.every((c) => c.includes('E009')), 'each with its own refusal (E009)', JSON.stringify(codes))
    const over = await post([A.url], sk, { ...tmpl, content: 'rate 30' })
    t.ok(await col.waitEnd(over.id, 60000), 'the 31st is answered')
    t.ok(verdictOf(col, over.id).codes.includes('E010'), 'the 31st is refused with E010', JSON.stringify(verdictOf(col, over.id).codes))
    // told once: the rest of the flood gets no answer at all
    const more = await post([A.url], sk, { ...tmpl, content: 'rate 31' })
    await sleep(3000)
    t.ok(col.of(more.id).length === 0, 'the 32nd gets no answer (no amplification)', JSON.stringify(col.of(more.id).map((e) => e.tags)))
    // another buyer is not held back
    const fresh = await post([A.url], buyer(), tmpl)
    t.ok(await col.waitEnd(fresh.id, 60000) && verdictOf(col, fresh.id).codes.includes('E009'), 'another buyer meanwhile gets E009, not E010')
  }
})

await wrapUp(world, 'after all that, the daemon still serves a good job', () => job('fix'), (r) => statusOf(r) === 'success')
