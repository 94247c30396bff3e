'use strict';
/**
 * Get Many pipelines its pages in n8n's engine, through n8n's own HTTP helper: the request for the
 * next page leaves as soon as this page's pageInfo has arrived, while the rest is still on its way.
 * A proxy between the node and the sandbox sends the first bytes of each answer at once and holds
 * the rest until the node sends its next request (or 2 s pass): an answer released by the next
 * request proves that request left before the page was whole.
 */
const http = require('http');

const { startReadSandbox, runNode, gql, byId } = require('./read-support');

const HOLD_MS = 2000;
/** Bytes of each answer sent at once: the beginning, pageInfo included (it comes before nodes). */
const HEAD_BYTES = 400;

let sb;
let proxy;
let numbers1002;

/** A proxy to the sandbox's GraphQL endpoint that holds each answer's tail (see above). */
function startHoldingProxy(target) {
	const log = [];
	let held = null;
	const release = (how) => {
		if (!held) return;
		const { res, tail, entry, timer } = held;
		held = null;
		clearTimeout(timer);
		entry.releasedBy = how;
		res.end(tail);
	};
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks);
			const parsed = JSON.parse(body.toString('utf8'));
			const entry = { operationName: parsed.operationName, variables: parsed.variables, releasedBy: null };
			log.push(entry);
			// A new request: the answer held so far was not needed whole to send it.
			release('next request');
			const upstream = http.request(
				`${target}${req.url}`,
				{ method: req.method, headers: { ...req.headers, host: new URL(target).host } },
				(answer) => {
					const parts = [];
					answer.on('data', (c) => parts.push(c));
					answer.on('end', () => {
						const whole = Buffer.concat(parts);
						entry.text = whole.toString('utf8');
						res.writeHead(answer.statusCode, answer.headers);
						res.write(whole.subarray(0, HEAD_BYTES));
						held = { res, tail: whole.subarray(HEAD_BYTES), entry, timer: setTimeout(() => release('timer'), HOLD_MS) };
					});
				},
			);
			upstream.end(body);
		});
	});
	return new Promise((resolve) => {
		server.listen(0, '127.0.0.1', () => {
			resolve({
				url: `http://127.0.0.1:${server.address().port}`,
				log,
				clear: () => log.splice(0),
				stop: () => new Promise((done) => server.close(done)),
			});
		});
	});
}

beforeAll(async () => {
	sb = await startReadSandbox({ size: 1500 });
	proxy = await startHoldingProxy(sb.url);
	numbers1002 = [];
	let after = null;
	for (;;) {
		const data = await gql(sb, 'query($after: String) { demarche(number: 1002) { dossiers(after: $after) { pageInfo { hasNextPage endCursor } nodes { number } } } }', { after });
		numbers1002.push(...data.demarche.dossiers.nodes.map((d) => d.number));
		if (!data.demarche.dossiers.pageInfo.hasNextPage) break;
		after = data.demarche.dossiers.pageInfo.endCursor;
	}
});
afterEach(() => proxy.clear());
afterAll(async () => {
	await proxy?.stop();
	await sb?.stop();
});

const viaProxy = () => ({ ...sb, url: proxy.url });

it('seeds several pages, and pageInfo lies in the first bytes the proxy sends', async () => {
	expect(numbers1002.length).toBeGreaterThan(250);
	const { error } = await runNode(viaProxy(), { resource: 'dossier', operation: 'getMany', demarche: byId(1002), returnAll: false, limit: 1 });
	expect(error).toBeUndefined();
	const [entry] = proxy.log;
	expect(entry.text.slice(0, HEAD_BYTES)).toMatch(/"pageInfo":\{"hasNextPage":true,"endCursor":"[^"]+"\}/);
	expect(entry.text.length).toBeGreaterThan(HEAD_BYTES * 5);
});

it('Get Many asks for page k+1 while page k is still arriving: every page but the last released by the next request', async () => {
	const { json, error } = await runNode(viaProxy(), { resource: 'dossier', operation: 'getMany', demarche: byId(1002), returnAll: true });
	expect(error).toBeUndefined();
	expect(json.map((d) => d.number)).toEqual(numbers1002);
	const pages = proxy.log.filter((e) => e.operationName === 'GetDemarcheDossiers');
	// No more requests than pages: the early requests were all used.
	expect(pages).toHaveLength(Math.ceil(numbers1002.length / 100));
	expect(pages.slice(0, -1).map((e) => e.releasedBy)).toEqual(pages.slice(0, -1).map(() => 'next request'));
	expect(pages[pages.length - 1].releasedBy).toBe('timer');
	// Each request continues where the previous answer ended.
	pages.slice(1).forEach((entry, i) => {
		const previous = JSON.parse(pages[i].text).data.demarche.dossiers.pageInfo.endCursor;
		expect(entry.variables.after).toBe(previous);
	});
}, 60_000);

it('with a limit, the early request asks only what is left and nothing more is asked', async () => {
	const { json, error } = await runNode(viaProxy(), { resource: 'dossier', operation: 'getMany', demarche: byId(1002), returnAll: false, limit: 250 });
	expect(error).toBeUndefined();
	expect(json.map((d) => d.number)).toEqual(numbers1002.slice(0, 250));
	const pages = proxy.log.filter((e) => e.operationName === 'GetDemarcheDossiers');
	expect(pages.map((e) => e.variables.first)).toEqual([100, 100, 50]);
	expect(pages.map((e) => e.releasedBy)).toEqual(['next request', 'next request', 'timer']);
}, 60_000);
