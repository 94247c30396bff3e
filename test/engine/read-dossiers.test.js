'use strict';
/**
 * dossier.getMany / get / getManyDeleted in n8n's engine against the sandbox over HTTP: paging
 * cost, exact limits, every filter against the platform's own answer, deletions, lost dossiers.
 */
const { NODE, startReadSandbox, runNode, gql, control, apiRequests, byId, withoutLinkSignatures } = require('./read-support');

let sb;
beforeAll(async () => {
	sb = await startReadSandbox();
});
afterAll(async () => {
	await sb?.stop();
});

const NUMBERS_PAGE = `query Oracle($d: Int!, $after: String, $state: DossierState, $archived: Boolean,
  $createdSince: ISO8601DateTime, $updatedSince: ISO8601DateTime, $revision: ID) {
  demarche(number: $d) {
    dossiers(first: 100, after: $after, state: $state, archived: $archived, createdSince: $createdSince,
      updatedSince: $updatedSince, revision: $revision) {
      pageInfo { hasNextPage endCursor }
      nodes { number state archived dateDepot dateDerniereModification groupeInstructeur { number } }
    }
  }
}`;

/** Every dossier the platform lists for these filters, straight from the sandbox. */
async function oracle(demarche, filters = {}) {
	const all = [];
	let after = null;
	for (;;) {
		const data = await gql(sb, NUMBERS_PAGE, { d: demarche, after, ...filters });
		const connection = data.demarche.dossiers;
		all.push(...connection.nodes);
		if (!connection.pageInfo.hasNextPage) return all;
		after = connection.pageInfo.endCursor;
	}
}

const getMany = (demarche, extra = {}) => ({
	resource: 'dossier',
	operation: 'getMany',
	demarche: byId(demarche),
	include: { champs: false, annotations: false },
	...extra,
});

const numbers = (json) => json.map((d) => d.number);

describe('dossier.getMany paging', () => {
	it('returns 250 unique dossiers in exactly 3 GraphQL requests', async () => {
		await control(sb, 'DELETE', '/requests');
		const { json, error } = await runNode(sb, getMany(1002, { returnAll: false, limit: 250, include: {} }));
		expect(error).toBeUndefined();
		expect(json).toHaveLength(250);
		expect(new Set(numbers(json)).size).toBe(250);
		const requests = (await apiRequests(sb)).filter((r) => r.operationName);
		expect(requests.map((r) => r.operationName)).toEqual(['GetDemarcheDossiers', 'GetDemarcheDossiers', 'GetDemarcheDossiers']);
		// full dossiers, simplified: champs keyed by label
		expect(typeof json[0].champs).toBe('object');
		expect(json[0].demarche.number).toBe(1002);
	});

	it('with Return All gives every dossier, in the platform\'s order, one request per page', async () => {
		const expected = numbers(await oracle(1005));
		expect(expected.length).toBeGreaterThan(100);
		await control(sb, 'DELETE', '/requests');
		const { json } = await runNode(sb, getMany(1005, { returnAll: true }));
		expect(numbers(json)).toEqual(expected);
		const requests = (await apiRequests(sb)).filter((r) => r.operationName === 'GetDemarcheDossiers');
		expect(requests).toHaveLength(Math.ceil(expected.length / 100));
	});

	it.each([1, 7, 100, 101])('stops at exactly limit = %i', async (limit) => {
		const expected = numbers(await oracle(1002)).slice(0, limit);
		const { json } = await runNode(sb, getMany(1002, { limit }));
		expect(numbers(json)).toEqual(expected);
	});
});

describe('dossier.getMany filters narrow as the platform does', () => {
	let all;
	beforeAll(async () => {
		all = await oracle(1002);
	});

	const cases = [
		['state', { state: 'accepte' }, { state: 'accepte' }, (d) => d.state === 'accepte'],
		['archived', { archived: true }, { archived: true }, (d) => d.archived === true],
		['createdSince', { createdSince: '2025-03-01T00:00:00Z' }, { createdSince: '2025-03-01T00:00:00.000Z' }, (d) => Date.parse(d.dateDepot) >= Date.parse('2025-03-01T00:00:00Z')],
		['updatedSince', { updatedSince: '2025-06-01T00:00:00' }, { updatedSince: '2025-06-01T00:00:00.000Z' }, (d) => Date.parse(d.dateDerniereModification) >= Date.parse('2025-06-01T00:00:00Z')],
		['state + archived', { state: 'refuse', archived: false }, { state: 'refuse', archived: false }, (d) => d.state === 'refuse' && !d.archived],
	];

	it.each(cases)('%s', async (_name, nodeFilters, oracleFilters, predicate) => {
		const expected = await oracle(1002, oracleFilters);
		expect(expected.length).toBeGreaterThan(0);
		expect(expected.length).toBeLessThan(all.length);
		// the platform's answer is what the filter means, checked against the full list
		expect(numbers(expected).sort()).toEqual(numbers(all.filter(predicate)).sort());
		const { json, error } = await runNode(sb, getMany(1002, { returnAll: true, filters: nodeFilters }));
		expect(error).toBeUndefined();
		expect(numbers(json)).toEqual(numbers(expected));
	});

	it('groupe instructeur: only that groupe\'s dossiers', async () => {
		const groupe = sb.facts.groupes.find((g) => g.demarche === 1002 && !g.closed).number;
		const expected = all.filter((d) => d.groupeInstructeur.number === groupe);
		expect(expected.length).toBeGreaterThan(0);
		await control(sb, 'DELETE', '/requests');
		const { json } = await runNode(sb, getMany(1002, { returnAll: true, filters: { groupeInstructeur: { __rl: true, mode: 'id', value: String(groupe) } } }));
		expect(numbers(json).sort()).toEqual(numbers(expected).sort());
		expect(json.every((d) => d.groupeInstructeur.number === groupe)).toBe(true);
		const operations = new Set((await apiRequests(sb)).map((r) => r.operationName));
		expect(operations).toEqual(new Set(['GetGroupeInstructeurDossiers']));
	});

	it('groupe instructeur of another démarche: a clear error, not an empty list', async () => {
		const foreign = sb.facts.groupes.find((g) => g.demarche === 1005).number;
		const filters = { groupeInstructeur: { __rl: true, mode: 'id', value: String(foreign) }, createdSince: '2030-01-01T00:00:00Z' };
		const { error } = await runNode(sb, getMany(1002, { returnAll: true, filters }));
		expect(error).toBeDefined();
		expect(error.message).toBe(`Groupe instructeur ${foreign} is not a groupe of démarche 1002`);
		// the same empty list for a groupe of the démarche is just empty
		const own = sb.facts.groupes.find((g) => g.demarche === 1002 && !g.closed).number;
		const ok = await runNode(sb, getMany(1002, { returnAll: true, filters: { ...filters, groupeInstructeur: { __rl: true, mode: 'id', value: String(own) } } }));
		expect(ok.error).toBeUndefined();
		expect(ok.json).toEqual([]);
	});

	it('revision: only dossiers on that revision', async () => {
		const data = await gql(sb, 'query { demarche(number: 1002) { revisions { id } } }');
		const revision = data.demarche.revisions[0].id;
		const expected = await oracle(1002, { revision });
		expect(expected.length).toBeGreaterThan(0);
		expect(expected.length).toBeLessThan(all.length);
		const { json } = await runNode(sb, getMany(1002, { returnAll: true, filters: { revision } }));
		expect(numbers(json)).toEqual(numbers(expected));
	});

	it('a date that is not a date fails clearly before any request', async () => {
		const { error } = await runNode(sb, getMany(1002, { filters: { updatedSince: 'yesterday-ish' } }));
		expect(error.message).toMatch(/Updated Since "yesterday-ish" is not a date/);
	});
});

describe('a dossier the platform cannot serialise (invalid_null)', () => {
	let victim;
	let page;
	beforeAll(async () => {
		page = numbers(await oracle(1005)).slice(0, 100);
		victim = page[37];
	});
	afterEach(async () => {
		await control(sb, 'DELETE', '/faults');
	});

	it('fails the item naming the dossier', async () => {
		await control(sb, 'POST', '/faults', { kind: 'invalid_null', dossier: victim, count: 1, operationName: 'GetDemarcheDossiers' });
		const { error } = await runNode(sb, getMany(1005, { limit: 100 }));
		expect(error).toBeDefined();
		expect(error.message).toContain(`Dossier ${victim}`);
	});

	it('with Continue On Fail: the other dossiers plus one error entry naming it, in place', async () => {
		await control(sb, 'POST', '/faults', { kind: 'invalid_null', dossier: victim, count: 1, operationName: 'GetDemarcheDossiers' });
		const { json, error } = await runNode(sb, getMany(1005, { limit: 100 }), { continueOnFail: true });
		expect(error).toBeUndefined();
		expect(json).toHaveLength(100);
		expect(json[37]).toMatchObject({ dossierNumber: victim });
		expect(json[37].error).toContain(`Dossier ${victim}`);
		const good = json.filter((d) => !d.error);
		expect(numbers(good)).toEqual(page.filter((n) => n !== victim));
	});
	it('is named in the groupe scope too', async () => {
		const groupe = sb.facts.groupes.find((g) => g.demarche === 1002 && !g.closed).number;
		const inGroupe = numbers((await oracle(1002)).filter((d) => d.groupeInstructeur.number === groupe));
		const target = inGroupe[5];
		await control(sb, 'POST', '/faults', { kind: 'invalid_null', dossier: target, count: 1, operationName: 'GetGroupeInstructeurDossiers' });
		const { json, error } = await runNode(
			sb,
			getMany(1002, { limit: 10, filters: { groupeInstructeur: { __rl: true, mode: 'id', value: String(groupe) } } }),
			{ continueOnFail: true },
		);
		expect(error).toBeUndefined();
		expect(json).toHaveLength(10);
		expect(json[5]).toMatchObject({ dossierNumber: target });
		expect(json.filter((d) => d.error)).toHaveLength(1);
	});
});

describe('dossier.getMany with Updated Since, while dossiers change', () => {
	afterEach(async () => {
		await control(sb, 'DELETE', '/faults');
	});

	it('gives a dossier modified during the walk once, in its latest version', async () => {
		const since = sb.facts.seedStart;
		const before = numbers(await oracle(1004, { updatedSince: since }));
		expect(before.length).toBeGreaterThan(40);
		const moved = before[3];
		// Each page request is held 1 s: the dossier is modified after page 1 was read, before page 2.
		await control(sb, 'DELETE', '/requests');
		await control(sb, 'POST', '/faults', { kind: 'delay', delayMs: 1000, count: 2, operationName: 'GetDemarcheDossiers' });
		const running = runNode(sb, getMany(1004, { returnAll: true, filters: { updatedSince: since }, options: { pageSize: 20 } }));
		while ((await apiRequests(sb)).filter((r) => r.operationName === 'GetDemarcheDossiers').length < 2)
			await new Promise((resolve) => setTimeout(resolve, 20));
		await control(sb, 'POST', '/act/update', { number: moved, values: { 'Nature des travaux': 'Modifiée pendant la lecture' } });
		const { json, error } = await running;
		expect(error).toBeUndefined();
		// The platform gave it twice (page 1, and again at the end, modified last); the node keeps the last.
		const after = numbers(await oracle(1004, { updatedSince: since }));
		expect(after.at(-1)).toBe(moved);
		expect(numbers(json)).toEqual(after);
		expect(new Set(numbers(json)).size).toBe(json.length);
		expect(json.find((d) => d.number === moved).dateDerniereModification).toBe((await oracle(1004, { updatedSince: since })).at(-1).dateDerniereModification);
	});

	it('counts a dossier seen twice once toward the limit', async () => {
		const since = sb.facts.seedStart;
		const list = numbers(await oracle(1004, { updatedSince: since }));
		const { json } = await runNode(sb, getMany(1004, { limit: 25, filters: { updatedSince: since }, options: { pageSize: 10 } }));
		expect(numbers(json)).toEqual(list.slice(0, 25));
	});
});

describe('dossier.get', () => {
	it('by number and by URL give the same dossier', async () => {
		const number = sb.facts.everyChampDossier;
		const a = await runNode(sb, { resource: 'dossier', operation: 'get', dossier: byId(number) });
		const b = await runNode(sb, {
			resource: 'dossier',
			operation: 'get',
			dossier: { __rl: true, mode: 'url', value: `${sb.url}/procedures/1001/dossiers/${number}/messagerie` },
		});
		expect(a.json).toHaveLength(1);
		expect(a.json[0].number).toBe(number);
		expect(withoutLinkSignatures(b.json)).toEqual(withoutLinkSignatures(a.json));
	});

	it('without simplify gives the API\'s dossier', async () => {
		const { json } = await runNode(sb, { resource: 'dossier', operation: 'get', dossier: byId(sb.facts.everyChampDossier), simplify: false });
		expect(json[0].__typename).toBe('Dossier');
		expect(Array.isArray(json[0].champs)).toBe(true);
		expect(json[0].champs[0]).toHaveProperty('champDescriptorId');
	});
});

describe('bad input fails per item; Continue On Fail carries on', () => {
	const items = [
		{ json: { demarche: '1005' } },
		{ json: { demarche: 'abc' } },
		{ json: { demarche: 'https://demarche.numerique.gouv.fr/admin/procedures/' } },
		{ json: { demarche: '99999' } },
		{ json: { demarche: '1001' } },
	];

	it('each failure says what is wrong, and the good item still returns', async () => {
		const parameters = {
			resource: 'dossier',
			operation: 'getMany',
			demarche: { __rl: true, mode: 'id', value: '={{ $json.demarche }}' },
			limit: 2,
			include: { champs: false, annotations: false },
		};
		const { items: out, run } = await runNode(sb, parameters, { token: sb.tokens.scoped, input: items, continueOnFail: true });
		expect(run.error).toBeUndefined();
		const byItem = (i) => out.filter((item) => item.pairedItem.item === i).map((item) => item.json);
		// 1005 is outside the scoped token's démarches (1002, 1003): hidden
		expect(byItem(0)).toHaveLength(1);
		expect(byItem(0)[0].error).toMatch(/hidden due to permissions/);
		expect(byItem(0)[0].description).toMatch(/token cannot see this object/);
		expect(byItem(1)[0].error).toMatch(/"abc" is not a démarche number/);
		expect(byItem(2)[0].error).toMatch(/(not a démarche number|contains no démarche number)/);
		expect(byItem(3)[0].error).toMatch(/not found/i);
		expect(byItem(4)[0].error).toMatch(/hidden due to permissions/);
	});

	it('a URL with no number fails clearly', async () => {
		// From an expression: a static value is already refused by the editor's validation.
		const { error } = await runNode(
			sb,
			{ resource: 'dossier', operation: 'getMany', demarche: { __rl: true, mode: 'url', value: '={{ $json.url }}' } },
			{ input: [{ json: { url: 'https://demarche.numerique.gouv.fr/admin/procedures/new' } }] },
		);
		expect(error.message).toMatch(/contains no démarche number|is not a démarche number/);
		expect(error.description).toMatch(/procedures\/<number>/);
	});

	it('an unknown dossier fails the item with the platform\'s not_found, and no token leaks', async () => {
		const { error } = await runNode(sb, { resource: 'dossier', operation: 'get', dossier: byId(9999999) });
		expect(error.message).toMatch(/Dossier not found/);
		expect(error.description).toMatch(/No such number/);
		expect(JSON.stringify(error)).not.toContain(sb.tokens.admin);
	});

	it('the scoped token reads its own démarches', async () => {
		const { json, error } = await runNode(sb, getMany(1002, { limit: 3 }), { token: sb.tokens.scoped });
		expect(error).toBeUndefined();
		expect(json).toHaveLength(3);
	});
});

describe('dossier.getManyDeleted', () => {
	it('returns deleted and pending-deleted dossiers with their reasons', async () => {
		const visible = numbers(await oracle(1003));
		const [purged, hidden] = [visible[3], visible[4]];
		await control(sb, 'POST', '/act/delete', { number: purged, reason: 'instructeur_request' });
		await control(sb, 'POST', '/act/delete', { number: hidden, pending: true, reason: 'user_request' });
		const raw = await gql(sb, `query { demarche(number: 1003) {
			deletedDossiers { nodes { number reason } }
			pendingDeletedDossiers { nodes { number reason } } } }`);

		const { json, error } = await runNode(sb, { resource: 'dossier', operation: 'getManyDeleted', demarche: byId(1003), returnAll: true });
		expect(error).toBeUndefined();
		const deleted = json.filter((d) => !d.pendingDeletion);
		const pending = json.filter((d) => d.pendingDeletion);
		expect(deleted.map((d) => [d.number, d.reason])).toEqual(raw.demarche.deletedDossiers.nodes.map((d) => [d.number, d.reason]));
		expect(pending.map((d) => [d.number, d.reason])).toEqual(raw.demarche.pendingDeletedDossiers.nodes.map((d) => [d.number, d.reason]));
		expect(json.find((d) => d.number === purged)).toMatchObject({ deleted: true, pendingDeletion: false, reason: 'instructeur_request' });
		expect(json.find((d) => d.number === hidden)).toMatchObject({ deleted: true, pendingDeletion: true, reason: 'user_request' });
		expect(json.every((d) => typeof d.dateSupression === 'string' && typeof d.state === 'string')).toBe(true);
	});

	it('a record the platform cannot serialise is reported, never dropped (Continue On Fail: in place)', async () => {
		const raw = await gql(sb, 'query { demarche(number: 1003) { deletedDossiers { nodes { number } } } }');
		const deleted = raw.demarche.deletedDossiers.nodes.map((d) => d.number);
		expect(deleted.length).toBeGreaterThan(2);
		const victim = deleted[1];
		const parameters = { resource: 'dossier', operation: 'getManyDeleted', demarche: byId(1003), deletionKind: 'deletedDossiers', returnAll: true };
		await control(sb, 'POST', '/faults', { kind: 'invalid_null', dossier: victim, count: 1, operationName: 'GetDeletedDossiers' });
		const failed = await runNode(sb, parameters);
		expect(failed.error.message).toMatch(/could not serialise the record at position 2 of its page of deleted dossiers/);
		await control(sb, 'POST', '/faults', { kind: 'invalid_null', dossier: victim, count: 1, operationName: 'GetDeletedDossiers' });
		const { json, error } = await runNode(sb, parameters, { continueOnFail: true });
		expect(error).toBeUndefined();
		expect(json).toHaveLength(deleted.length);
		expect(json[1]).toMatchObject({ error: expect.stringMatching(/position 2/), pendingDeletion: false });
		expect(json.filter((d) => !d.error).map((d) => d.number)).toEqual(deleted.filter((n) => n !== victim));
	});

	it('since a date and within a limit', async () => {
		const all = (await runNode(sb, { resource: 'dossier', operation: 'getManyDeleted', demarche: byId(1003), returnAll: true })).json;
		const recent = (await runNode(sb, { resource: 'dossier', operation: 'getManyDeleted', demarche: byId(1003), returnAll: true, deletedSince: '2026-01-01T00:00:00Z' })).json;
		expect(recent.length).toBeGreaterThanOrEqual(2);
		expect(recent.length).toBeLessThan(all.length);
		expect(recent.every((d) => Date.parse(d.dateSupression) >= Date.parse('2026-01-01T00:00:00Z'))).toBe(true);
		const limited = (await runNode(sb, { resource: 'dossier', operation: 'getManyDeleted', demarche: byId(1003), limit: 2 })).json;
		expect(limited).toHaveLength(2);
	});
});

module.exports = { NODE };
