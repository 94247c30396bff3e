'use strict';
/**
 * Platform timeouts while listing, in n8n's engine against the sandbox. The sandbox's timeouts are
 * deterministic (FIDELITY 3.15-3.18): a page heavier than the budget times out on every try, as on
 * the platform, so retrying it as is never ends; the node asks the same cursor again at half the size.
 */
const { startReadSandbox, runNode, gql, control, apiRequests, byId } = require('./read-support');

let sb;
let dossiers1002;
let deletions1002;
/** Every number of a list, walked page by page with a light selection: the oracle. */
async function numbersOf(field) {
	const numbers = [];
	let after = null;
	for (;;) {
		const data = await gql(sb, `query($after: String) { demarche(number: 1002) { ${field}(after: $after) { pageInfo { hasNextPage endCursor } nodes { number } } } }`, { after });
		const { pageInfo, nodes } = data.demarche[field];
		numbers.push(...nodes.map((d) => d.number));
		if (!pageInfo.hasNextPage) return numbers;
		after = pageInfo.endCursor;
	}
}

beforeAll(async () => {
	sb = await startReadSandbox({ size: 1500 });
	// Oracles, read before any budget is set.
	dossiers1002 = await numbersOf('dossiers');
	deletions1002 = { deleted: await numbersOf('deletedDossiers'), pending: await numbersOf('pendingDeletedDossiers') };
});
afterAll(async () => {
	await sb?.stop();
});
afterEach(async () => {
	await control(sb, 'DELETE', '/timeouts');
	await control(sb, 'DELETE', '/faults');
	await control(sb, 'DELETE', '/requests');
	await control(sb, 'POST', '/limits', { maxComplexity: 60000 });
});

const budget = (value, demarches = [1002]) => control(sb, 'POST', '/timeouts', { budget: value, demarches });
const getMany = (extra = {}) => ({ resource: 'dossier', operation: 'getMany', demarche: byId(1002), returnAll: true, ...extra });
const timedOut = (requests) => requests.filter((r) => r.operationName === 'GetDemarcheDossiers');

it('seeds enough to need several pages', () => {
	expect(dossiers1002.length).toBeGreaterThan(250);
	expect(deletions1002.deleted.length + deletions1002.pending.length).toBeGreaterThan(10);
});

describe('dossier.getMany', () => {
	it('reads a démarche whose full pages always time out completely, each dossier once, in order', async () => {
		// Default Include: 13 units a dossier, champs preloaded: 30 fit, a page of 100 never does.
		await budget(400);
		const { json, error } = await runNode(sb, getMany());
		expect(error).toBeUndefined();
		expect(json.map((d) => d.number)).toEqual(dossiers1002);
		expect(json.some((d) => d.error)).toBe(false);
		// Every answer was whole or a timeout; a few timeouts, not one per page.
		const requests = timedOut(await apiRequests(sb));
		expect(requests.length).toBeGreaterThan(Math.ceil(dossiers1002.length / 30));
		expect(requests.length).toBeLessThan(Math.ceil(dossiers1002.length / 25) + 12);
	});

	it('with every part included (heavier), still everything', async () => {
		await budget(300);
		const include = { avis: true, messages: true, traitements: true, geometry: true };
		const { json, error } = await runNode(sb, getMany({ include, simplify: false }));
		expect(error).toBeUndefined();
		expect(json.map((d) => d.number)).toEqual(dossiers1002);
		expect(json.every((d) => Array.isArray(d.messages) && Array.isArray(d.champs))).toBe(true);
	});

	it('starts at the Page Size option: no timeout when it fits', async () => {
		await budget(400);
		const { json, error } = await runNode(sb, getMany({ options: { pageSize: 20 } }));
		expect(error).toBeUndefined();
		expect(json.map((d) => d.number)).toEqual(dossiers1002);
		expect(timedOut(await apiRequests(sb))).toHaveLength(Math.ceil(dossiers1002.length / 20));
	});

	it('refuses a Page Size above 100 clearly', async () => {
		const { error } = await runNode(sb, getMany({ options: { pageSize: 500 } }));
		expect(error.message).toMatch(/Page Size 500 is not a whole number from 1 to 100/);
	});

	it('when even one dossier times out, fails with advice the user can follow', async () => {
		await budget(5);
		const { error, json } = await runNode(sb, getMany({ limit: 10, returnAll: false }));
		expect(json).toEqual([]);
		expect(error.message).toMatch(/timed out \(30 s\) on GetDemarcheDossiers even with 1 record per page/);
		expect(error.description).toMatch(/Under Include, turn off the parts you do not need/);
		// …and following it works: without champs and annotations each dossier is light enough.
		const light = await runNode(sb, getMany({ limit: 10, returnAll: false, include: { champs: false, annotations: false, files: false, instructeurs: false, labels: false } }));
		expect(light.error).toBeUndefined();
		expect(light.json.map((d) => d.number)).toEqual(dossiers1002.slice(0, 10));
	}, 90_000);

	it('a page that timed out once (the one-shot fault) is asked again and nothing is lost', async () => {
		await control(sb, 'POST', '/faults', { kind: 'timeout', count: 1, operationName: 'GetDemarcheDossiers' });
		const { json, error } = await runNode(sb, getMany({ include: { champs: false, annotations: false } }));
		expect(error).toBeUndefined();
		expect(json.map((d) => d.number)).toEqual(dossiers1002);
	});
});

describe('dossier.getManyDeleted', () => {
	it('reads deletion lists whose full pages always time out completely', async () => {
		await budget(3);
		const { json, error } = await runNode(sb, { resource: 'dossier', operation: 'getManyDeleted', demarche: byId(1002), returnAll: true });
		expect(error).toBeUndefined();
		expect(json.filter((d) => !d.pendingDeletion).map((d) => d.number)).toEqual(deletions1002.deleted);
		expect(json.filter((d) => d.pendingDeletion).map((d) => d.number)).toEqual(deletions1002.pending);
		const requests = (await apiRequests(sb)).filter((r) => /Deleted/.test(r.operationName));
		expect(requests.length).toBeGreaterThan(2);
	});
});

describe('a server with a lower complexity cap (GRAPHQL_MAX_COMPLEXITY)', () => {
	it('Get Many with every part reads everything in pages that fit under the cap', async () => {
		await control(sb, 'POST', '/limits', { maxComplexity: 8000 });
		const include = { avis: true, messages: true, traitements: true, geometry: true };
		const { json, error } = await runNode(sb, getMany({ include }));
		expect(error).toBeUndefined();
		expect(json.map((d) => d.number)).toEqual(dossiers1002);
		const requests = timedOut(await apiRequests(sb));
		// The first page (100) is refused before running; every later one fits.
		expect(requests[0].complexity).toBeGreaterThan(8000);
		expect(requests.slice(1).every((r) => r.complexity <= 8000)).toBe(true);
		expect(requests.length).toBeLessThan(Math.ceil(dossiers1002.length / 25) + 3);
	});
});
