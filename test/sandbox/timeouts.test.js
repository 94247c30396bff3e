'use strict';
/**
 * Deterministic timeouts (FIDELITY 3.15-3.18): a page heavier than the budget (rows × parts) times
 * out every time, with graphql-ruby's shape: per-field errors, only the first coded `timeout`, nulls
 * propagating through non-null fields.
 */
const { control, gql, start } = require('./helpers');

let sandbox;
beforeAll(async () => {
	sandbox = await start({ size: 300 });
});
afterAll(() => sandbox.stop());
afterEach(async () => {
	await control(sandbox, 'DELETE', '/timeouts');
	await control(sandbox, 'DELETE', '/faults');
});

const budget = (value, demarches) =>
	control(sandbox, 'POST', '/timeouts', { budget: value, demarches });

// 1 + 3 composite fields (demandeur, champs, messages) = 4 units a dossier, preloaded (champs).
const HEAVY = `query Heavy($d: Int!, $first: Int) { demarche(number: $d) { id number dossiers(first: $first) {
  pageInfo { hasNextPage endCursor } nodes { number demandeur { __typename } champs { label } messages { id } } } } }`;
// 1 + 2 composite fields (groupeInstructeur, messages) = 3 units a dossier, serialised one by one.
const LIGHT = `query Light($d: Int!, $first: Int) { demarche(number: $d) { dossiers(first: $first) {
  pageInfo { hasNextPage endCursor } nodes { number groupeInstructeur { number } messages { id } } } } }`;

describe('a page whose champs are preloaded (DossiersConnection#preload?)', () => {
	it('within the budget: whole; one row more: the slow-page shape of PR #14047, the same on every retry', async () => {
		await budget(40);
		const fits = await gql(sandbox, HEAVY, { d: 1002, first: 10 });
		expect(fits.json.errors).toBeUndefined();
		expect(fits.json.data.demarche.dossiers.nodes).toHaveLength(10);
		const answers = [];
		for (let i = 0; i < 3; i++)
			answers.push((await gql(sandbox, HEAVY, { d: 1002, first: 11 })).json);
		expect(answers[1]).toEqual(answers[0]);
		expect(answers[2]).toEqual(answers[0]);
		expect(answers[0]).toEqual({
			data: {
				demarche: {
					id: expect.any(String),
					number: 1002,
					dossiers: { pageInfo: { hasNextPage: true, endCursor: null }, nodes: null },
				},
			},
			errors: [
				{
					message: 'Timeout on PageInfo.endCursor',
					locations: [expect.any(Object)],
					path: ['demarche', 'dossiers', 'pageInfo', 'endCursor'],
					extensions: { code: 'timeout' },
				},
				{
					message: 'Timeout on DossierConnection.nodes',
					locations: [expect.any(Object)],
					path: ['demarche', 'dossiers', 'nodes'],
				},
			],
		});
	});

	it('with nodes asked before pageInfo, the non-null PageInfo times out too: data null', async () => {
		await budget(40);
		const res = await gql(
			sandbox,
			'query { demarche(number: 1002) { dossiers(first: 21) { nodes { number champs { label } } pageInfo { hasNextPage } } } }',
		);
		expect(res.status).toBe(200);
		expect(res.json.data).toBeNull();
		expect(res.json.errors[0]).toMatchObject({ extensions: { code: 'timeout' } });
		expect(res.json.errors.slice(1).every((e) => e.extensions === undefined)).toBe(true);
		expect(res.json.errors.at(-1)).toMatchObject({
			message: 'Timeout on DossierConnection.pageInfo',
		});
	});
});

describe('a page serialised dossier by dossier (no champs)', () => {
	it('serves the dossiers that fit, then one error per null dossier, only the first coded; pageInfo whole', async () => {
		await budget(40);
		const res = await gql(sandbox, LIGHT, { d: 1002, first: 20 });
		const { nodes, pageInfo } = res.json.data.demarche.dossiers;
		const fit = Math.floor(40 / 3);
		expect(nodes.slice(0, fit).every((n) => n && n.number)).toBe(true);
		expect(nodes.slice(fit)).toEqual(Array(20 - fit).fill(null));
		expect(pageInfo).toEqual({ hasNextPage: true, endCursor: expect.any(String) });
		expect(res.json.errors).toHaveLength(20 - fit);
		res.json.errors.forEach((error, i) => {
			expect(error.message).toBe('Timeout on Dossier.number');
			expect(error.path).toEqual(['demarche', 'dossiers', 'nodes', fit + i, 'number']);
			expect(error.extensions).toEqual(i === 0 ? { code: 'timeout' } : undefined);
		});
		// endCursor is the page's last row, nulled ones included: the next page starts after them.
		const whole = await gql(sandbox, LIGHT, { d: 1002, first: 13 });
		expect(whole.json.errors).toBeUndefined();
	});
});

describe('deletion lists', () => {
	it('time out when the page loads (their cost is their SQL), whatever the fields asked', async () => {
		const enConstruction = (
			await gql(
				sandbox,
				'query { demarche(number: 1002) { dossiers(state: en_construction, first: 1) { nodes { number } } } }',
			)
		).json.data.demarche.dossiers.nodes[0].number;
		await control(sandbox, 'POST', '/act/delete', { number: enConstruction, pending: true });
		const query =
			'query { demarche(number: 1002) { pendingDeletedDossiers(first: 100) { pageInfo { hasNextPage endCursor } nodes { number } } } }';
		const rows = (await gql(sandbox, query)).json.data.demarche.pendingDeletedDossiers.nodes.length;
		expect(rows).toBeGreaterThan(0);
		await budget(rows - 1);
		const res = await gql(sandbox, query);
		// hasNextPage is computed (the last page: false) but the page is not there: not the end of the list.
		expect(res.json.data.demarche.pendingDeletedDossiers).toEqual({
			pageInfo: { hasNextPage: false, endCursor: null },
			nodes: null,
		});
		expect(res.json.errors.map((e) => [e.message, e.extensions])).toEqual([
			['Timeout on PageInfo.endCursor', { code: 'timeout' }],
			['Timeout on DeletedDossierConnection.nodes', undefined],
		]);
		await budget(rows);
		expect((await gql(sandbox, query)).json.errors).toBeUndefined();
	});
});

describe('settings', () => {
	it('a budget limited to some démarches leaves the others alone', async () => {
		await budget(10, [1003]);
		expect((await gql(sandbox, HEAVY, { d: 1002, first: 50 })).json.errors).toBeUndefined();
		expect((await gql(sandbox, HEAVY, { d: 1003, first: 50 })).json.errors[0].extensions).toEqual({
			code: 'timeout',
		});
	});

	it('refuses a budget that is not a number', async () => {
		await expect(control(sandbox, 'POST', '/timeouts', { budget: 'lots' })).rejects.toThrow(/400/);
		expect(await control(sandbox, 'GET', '/timeouts')).toEqual({ budget: null, demarches: null });
	});
});

describe('the one-shot fault', () => {
	it('on a list: the slow-page shape', async () => {
		await control(sandbox, 'POST', '/faults', { kind: 'timeout' });
		const res = await gql(sandbox, LIGHT, { d: 1002, first: 5 });
		expect(res.json.data.demarche.dossiers).toEqual({
			pageInfo: { hasNextPage: true, endCursor: null },
			nodes: null,
		});
		expect(res.json.errors.map((e) => e.message)).toEqual([
			'Timeout on PageInfo.endCursor',
			'Timeout on DossierConnection.nodes',
		]);
		expect((await gql(sandbox, LIGHT, { d: 1002, first: 5 })).json.errors).toBeUndefined();
	});

	it('without a list: data null, Timeout on Query.<root field> (upstream spec with max_seconds 0)', async () => {
		await control(sandbox, 'POST', '/faults', { kind: 'timeout' });
		const res = await gql(
			sandbox,
			`query { dossier(number: ${sandbox.facts.everyChampDossier}) { id } }`,
		);
		expect(res.json).toEqual({
			errors: [
				{
					message: 'Timeout on Query.dossier',
					locations: [{ line: 1, column: 9 }],
					path: ['dossier'],
					extensions: { code: 'timeout' },
				},
			],
			data: null,
		});
	});
});
