// CodeReview and SandboxRun end to end, encrypted requests (NIP-04 and
// NIP-44) and a kind-5 cancellation, over the npm relay with a
// nostr-tools buyer (PROTOCOL.md §A.5, §A.7, §C.10, §E.4).
import { join } from 'node:path'
import {
  HERE, deadline, bringUp, wrapUp, post, patchJob, reviewJob, sandboxJob, encryptJob, decryptFrom, schemeOf,
  generateSecretKey, envelopeChecks, failureChecks, patchSuccessChecks, reviewDiff, statusOf, resultOf,
  tagOf, tagsOf, sha256, runCases, procsWith, until, sleep, signEvent, publishEvent, RESULT_KINDS
} from './jobslib.mjs'

deadline(280000)
// relay9.mjs: the npm engine drops kind-5 deletions, relay9 keeps them
const world = await bringUp({ capacity: 8, limits: { time_secs: 120 }, relayScript: join(HERE, 'relay9.mjs') })
const { dir: T, fx, d, col, pk } = world
const [A] = world.relays
const buyer = () => generateSecretKey()
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info']

await runCases({
  async 'review good' (t) {
    const diff = reviewDiff(fx, T, 'review-good')
    const req = await post([A.url], buyer(), reviewJob(diff, { provider: pk }))
    const res = await col.waitFor(req.id, (e) => e.kind === 6933, 90000)
    if (!t.ok(res, 'a 6933 result within 90 s', d.tail())) return
    for (const [c, desc, x] of envelopeChecks(res, req, pk)) t.ok(c, desc, x)
    t.ok(statusOf(res) === 'success', 'status success', JSON.stringify(res.tags))
    t.ok(resultOf(res, 'review_sha256') === sha256(res.content), 'review_sha256 = sha256(content)')
    let r = null
    try { r = JSON.parse(res.content) } catch {}
    if (!t.ok(r && typeof r === 'object', 'content is the review JSON', res.content.slice(0, 300))) return
    // the buyer's checks (VERIFICATION.md): schema, non-trivial, references
    t.ok(['approve', 'request_changes', 'comment'].includes(r.approval_status) && (r.issues || []).every((i) => SEVERITIES.includes(i.severity)), 'schema_valid')
    t.ok(r.summary && (r.issues.length + (r.suggestions || []).length + (r.highlights || []).length) > 0, 'non_trivial')
    const files = [...diff.matchAll(/^\+\+\+ b\/(.*)$/gm)].map((m) => m[1])
    t.ok([...r.issues, ...(r.suggestions || [])].every((i) => files.includes(i.file)), 'references_valid: every file is in the diff')
    t.ok(r.issues[0]?.severity === 'low' && r.issues[0]?.file === 'src/calc.sh', "it is the agent's review")
    t.ok(resultOf(res, 'approval_status') === r.approval_status, 'approval_status tag matches the content')
    t.ok(resultOf(res, 'issues_found') === String(r.issues.length), 'issues_found tag')
    t.ok(resultOf(res, 'severity_max') === 'low', 'severity_max tag')
    t.ok(resultOf(res, 'suggestions_count') === String(r.suggestions.length), 'suggestions_count tag')
    t.ok((resultOf(res, 'trajectory_id') || '').length > 0, 'a trajectory_id')
  },

  async 'review bad' (t) {
    const req = await post([A.url], buyer(), reviewJob(reviewDiff(fx, T, 'review-bad'), { provider: pk }))
    t.ok(await col.waitEnd(req.id), 'the job ends within 90 s', d.tail())
    for (const [c, desc, x] of failureChecks(col, req, pk, 'E006', 'invalid review')) t.ok(c, desc, x)
  },

  async sandboxrun (t) {
    const req = await post([A.url], buyer(), sandboxJob(fx, 'echo hello; echo err >&2; exit 3', { provider: pk }))
    const res = await col.waitFor(req.id, (e) => e.kind === 6930, 90000)
    if (!t.ok(res, 'a 6930 result within 90 s', d.tail())) return
    for (const [c, desc, x] of envelopeChecks(res, req, pk)) t.ok(c, desc, x)
    t.ok(resultOf(res, 'exit_code') === '3', 'exit_code 3', JSON.stringify(res.tags))
    t.ok(res.content.includes('hello'), 'content is the output', res.content)
    t.ok(resultOf(res, 'output_sha256') === sha256(res.content), 'output_sha256 = sha256(content)')
    t.ok(resultOf(res, 'stdout_sha256') === sha256('hello\n'), 'stdout_sha256 = sha256("hello\\n")')
    t.ok(resultOf(res, 'stderr_sha256') === sha256('err\n'), 'stderr_sha256 = sha256("err\\n")')
    for (const k of ['duration_ms', 'peak_memory_mb', 'cpu_seconds']) {
      t.ok(/^\d+(\.\d+)?$/.test(resultOf(res, k) || ''), `${k} is a number`, resultOf(res, k))
    }
    t.ok(Number(resultOf(res, 'duration_ms')) <= 60000, 'within_time_limit')
    t.ok((resultOf(res, 'trajectory_id') || '').length > 0, 'a trajectory_id')
  },

  async 'sandboxrun sees the filtered repo' (t) {
    const cmd = 'test -f src/calc.sh && test ! -e .env && test ! -e deploy/key.pem && ! grep -rq FAKE_SECRET . && echo filtered'
    const req = await post([A.url], buyer(), sandboxJob(fx, cmd, { provider: pk, ref: fx.sha }))
    const res = await col.waitFor(req.id, (e) => e.kind === 6930, 90000)
    if (!t.ok(res, 'a 6930 result within 90 s', d.tail())) return
    t.ok(resultOf(res, 'exit_code') === '0' && res.content.includes('filtered'), 'the repo is there, .env and the key are not', res.content)
  },

  async 'nip04 sandboxrun' (t) {
    const sk = buyer()
    const req = await post([A.url], sk, encryptJob(sandboxJob(fx, 'echo hello-encrypted-04'), sk, pk, 4))
    const res = await col.waitFor(req.id, (e) => e.kind === 6930, 90000)
    if (!t.ok(res, 'a 6930 result within 90 s', d.tail())) return
    encryptedChecks(t, req, res, sk, 4, 'hello-encrypted-04')
    let out = ''
    try { out = decryptFrom(res.content, sk, pk, 4) } catch {}
    t.ok(out.includes('hello-encrypted-04'), 'the decrypted content is the output', out)
    t.ok(resultOf(res, 'exit_code') === '0', 'exit_code 0')
  },

  async 'nip44 patchgen' (t) {
    const sk = buyer()
    const plain = patchJob(fx, 'fix', { issue: 'secret-issue-44' })
    const req = await post([A.url], sk, encryptJob(plain, sk, pk, 44))
    const res = await col.waitFor(req.id, (e) => e.kind === 6932, 90000)
    if (!t.ok(res, 'a 6932 result within 90 s', d.tail())) return
    encryptedChecks(t, req, res, sk, 44, 'secret-issue-44')
    let diff = ''
    try { diff = decryptFrom(res.content, sk, pk, 44) } catch {}
    // the hash is over the content the buyer reads: accept the plaintext
    // diff (what PROTOCOL.md §A.4 hashes) or the payload, and say which
    const over = resultOf(res, 'patch_sha256') === sha256(res.content) ? res.content : diff
    t.ok(resultOf(res, 'patch_sha256') === sha256(over), `patch_sha256 matches the ${over === diff ? 'decrypted diff' : 'encrypted content'}`)
    const checks = patchSuccessChecks({ ...res }, { req, provider: pk, fixture: fx, dir: T, diff, hashOver: over, expect: { files: ['src/calc.sh'] } })
    for (const [c, desc, x] of checks) if (!/signature|\["e"|\["p"|request event/.test(desc)) t.ok(c, `decrypted: ${desc}`, x)
  },

  async cancel (t) {
    const sk = buyer()
    const sig = '3599.42'
    const req = await post([A.url], sk, patchJob(fx, `slow:${sig}`, { provider: pk }))
    const p = await col.waitFor(req.id, (e) => e.kind === 7000 && statusOf(e) === 'processing', 30000)
    t.ok(p, 'processing within 30 s')
    t.ok(await until(() => procsWith(['sleep', sig]).length > 0, 30000), 'the agent runs')
    // a deletion by someone else changes nothing
    await publishEvent(A.url, signEvent(generateSecretKey(), { kind: 5, tags: [['e', req.id], ['k', '5932']], content: 'not mine' }))
    await sleep(3000)
    t.ok(procsWith(['sleep', sig]).length > 0, "another key's kind 5 does not cancel the job")
    const del = signEvent(sk, { kind: 5, tags: [['e', req.id], ['k', '5932']], content: 'cancelled by the buyer' })
    await publishEvent(A.url, del)
    const t0 = Date.now()
    t.ok(await until(() => procsWith(['sleep', sig]).length === 0, 20000), "the buyer's kind 5 stops the agent within 20 s")
    const jobId = `job_${req.id.slice(0, 16)}`
    t.ok(await until(() => new RegExp(`cancel[^\\n]*(${req.id}|${jobId})|(${req.id}|${jobId})[^\\n]*cancel`, 'i').test(d.log), 5000),
      'the daemon logs the cancellation', d.tail(20))
    await sleep(Math.max(0, 10000 - (Date.now() - t0)))
    t.ok(!col.results(req.id).some((e) => statusOf(e) === 'success'), 'no success result follows')
    t.ok(col.results(req.id).length <= 1, 'at most one result')
  }
})

// An encrypted job's answers (§E.4): content encrypted to the buyer with
// the request's scheme, ["encrypted"], no plaintext inputs anywhere.
function encryptedChecks (t, req, res, sk, scheme, secret) {
  const name = scheme === 4 ? 'NIP-04' : 'NIP-44'
  for (const [c, desc, x] of envelopeChecks(res, req, pk)) t.ok(c, `${name}: ${desc}`, x)
  t.ok(tagOf(res, 'encrypted'), `${name}: the result has ["encrypted"]`)
  t.ok(tagsOf(res, 'i').length === 0, `${name}: the result has no i tags`)
  t.ok(schemeOf(res.content) === scheme, `${name}: the result content is a ${name} payload`, res.content.slice(0, 80))
  for (const e of col.of(req.id)) {
    t.ok(!JSON.stringify(e).includes(secret), `${name}: kind ${e.kind} does not carry the plaintext`)
    if (e.kind === 7000 && e.content !== '') {
      let ok = false
      try { decryptFrom(e.content, sk, pk, scheme); ok = true } catch {}
      t.ok(ok, `${name}: the 7000 content decrypts with the same scheme`)
    }
  }
  t.ok(RESULT_KINDS.includes(res.kind) && res.kind === req.kind + 1000, `${name}: result kind`)
}

await wrapUp(world, 'the daemon serves a job after the cancellation',
  (p) => sandboxJob(fx, 'echo still-here', { provider: p }), (r) => r.content.includes('still-here'))
