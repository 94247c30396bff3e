'use strict';
/** Listing dossiers: clamp, ordering, filters, filter-bound cursors, empty pages, deletions, groupes. */
const { control, gql, start, DOSSIER_PAGE } = require('./helpers');

let sandbox;
beforeAll(async () => {
	sandbox = await start({ size: 600 });
});
afterAll(() => sandbox.stop());

const page = async (variables) => {
	const res = await gql(sandbox, DOSSIER_PAGE, { d: 1002, ...variables });
	return res.json;
};
const byKeyThenNumber = (key) => (a, b) =>
	Date.parse(a[key]) - Date.parse(b[key]) || a.number - b.number;

/** Follows endCursor to the end; returns every node. */
async function walk(variables) {
	const nodes = [];
	let after = null;
	for (;;) {
		const json = await page({ ...variables, first: 100, after });
		const connection = json.data.demarche.dossiers;
		nodes.push(...connection.nodes);
		if (!connection.pageInfo.hasNextPage) return nodes;
		after = connection.pageInfo.endCursor;
	}
}

it('clamps first above 100 to 100, and defaults to 100', async () => {
	const counts = await control(sandbox, 'GET', '/counts');
	expect(counts.byDemarche['1002'].visible).toBeGreaterThan(100);
	for (const variables of [{ first: 250 }, {}]) {
		const connection = (await page(variables)).data.demarche.dossiers;
		expect(connection.nodes).toHaveLength(100);
		expect(connection.pageInfo.hasNextPage).toBe(true);
	}
});

it('rejects first+last and before+after with bad_request', async () => {
	const cursor = (await page({ first: 1 })).data.demarche.dossiers.pageInfo.endCursor;
	for (const variables of [
		{ first: 5, last: 5 },
		{ after: cursor, before: cursor },
	]) {
		const json = await page(variables);
		expect(json.data).toBeNull();
		expect(json.errors[0].extensions.code).toBe('bad_request');
	}
});

it('orders by deposit date then number, across pages, with every visible dossier exactly once', async () => {
	const nodes = await walk({});
	const counts = await control(sandbox, 'GET', '/counts');
	expect(nodes).toHaveLength(counts.byDemarche['1002'].visible);
	expect(new Set(nodes.map((n) => n.number)).size).toBe(nodes.length);
	expect(nodes).toEqual([...nodes].sort(byKeyThenNumber('dateDepot')));
	// The seed has deposit-date ties, and number order differs from deposit order.
	const tied = nodes.some((n, i) => i > 0 && n.dateDepot === nodes[i - 1].dateDepot);
	expect(tied).toBe(true);
	expect(nodes.map((n) => n.number)).not.toEqual(
		[...nodes].map((n) => n.number).sort((a, b) => a - b),
	);
});

it('with updatedSince: orders by last modification then number, keeps only later ones, ignores createdSince', async () => {
	const since = '2025-06-01T00:00:00+02:00';
	const nodes = await walk({ updatedSince: since });
	expect(nodes.length).toBeGreaterThan(0);
	expect(nodes.every((n) => Date.parse(n.dateDerniereModification) >= Date.parse(since))).toBe(
		true,
	);
	expect(nodes).toEqual([...nodes].sort(byKeyThenNumber('dateDerniereModification')));
	const withCreatedSince = await walk({
		updatedSince: since,
		createdSince: '2030-01-01T00:00:00Z',
	});
	expect(withCreatedSince.map((n) => n.number)).toEqual(nodes.map((n) => n.number));
});

it('filters on createdSince, state and archived', async () => {
	const created = await walk({ createdSince: '2025-01-01T00:00:00+01:00' });
	expect(
		created.every((n) => Date.parse(n.dateDepot) >= Date.parse('2025-01-01T00:00:00+01:00')),
	).toBe(true);
	const archived = await walk({ state: 'accepte', archived: true });
	expect(archived.length).toBeGreaterThan(0);
	expect(archived.every((n) => n.state === 'accepte' && n.archived)).toBe(true);
});

it('binds cursors to their filters', async () => {
	const cursor = (await page({ first: 5 })).data.demarche.dossiers.pageInfo.endCursor;
	const same = await page({ first: 5, after: cursor });
	expect(same.errors).toBeUndefined();
	const other = await page({ first: 5, after: cursor, state: 'accepte' });
	expect(other.data).toBeNull();
	expect(other.errors[0].extensions.code).toBe('bad_request');
});

it('pages backwards with last/before', async () => {
	const forward = (await page({ first: 10 })).data.demarche.dossiers;
	const backward = (await page({ last: 4, before: forward.pageInfo.endCursor })).data.demarche
		.dossiers;
	expect(backward.nodes.map((n) => n.number)).toEqual(
		forward.nodes.slice(5, 9).map((n) => n.number),
	);
	expect(backward.pageInfo.hasNextPage).toBe(true);
});

it('returns endCursor null and hasNextPage false on an empty page', async () => {
	const connection = (await page({ updatedSince: '2099-01-01T00:00:00Z' })).data.demarche.dossiers;
	expect(connection.nodes).toEqual([]);
	expect(connection.pageInfo).toMatchObject({
		endCursor: null,
		startCursor: null,
		hasNextPage: false,
	});
});

it('lists dossiers of one groupe instructeur only', async () => {
	const groupe = sandbox.facts.groupes.find((g) => g.demarche === 1002 && !g.closed);
	const res = await gql(
		sandbox,
		`query($g: Int!) { groupeInstructeur(number: $g) { label dossiers(first: 100) { nodes { number groupeInstructeur { number } } } } }`,
		{ g: groupe.number },
	);
	const nodes = res.json.data.groupeInstructeur.dossiers.nodes;
	expect(res.json.data.groupeInstructeur.label).toBe(groupe.label);
	expect(nodes.length).toBeGreaterThan(0);
	expect(nodes.every((n) => n.groupeInstructeur.number === groupe.number)).toBe(true);
});

it('lists deleted and pending-deleted dossiers with reasons, filtered by deletedSince', async () => {
	const query = `query($since: ISO8601DateTime) { demarche(number: 1002) {
		deletedDossiers(deletedSince: $since) { nodes { id number state reason dateSupression } }
		pendingDeletedDossiers(deletedSince: $since) { nodes { id number state reason dateSupression } } } }`;
	const all = (await gql(sandbox, query)).json.data.demarche;
	expect(all.deletedDossiers.nodes.length).toBeGreaterThan(0);
	expect(all.pendingDeletedDossiers.nodes.length).toBeGreaterThan(0);
	for (const d of [...all.deletedDossiers.nodes, ...all.pendingDeletedDossiers.nodes]) {
		expect(d.reason).toMatch(
			/^(user_request|expired|instructeur_request|procedure_removed|user_removed|manager_request|user_expired)$/,
		);
		expect(Buffer.from(d.id, 'base64').toString()).not.toBe(`Dossier-${d.number}`);
	}
	// Pending-deleted dossiers are hidden from the dossiers list and from dossier(number).
	const pending = all.pendingDeletedDossiers.nodes[0].number;
	const hidden = await gql(sandbox, `{ dossier(number: ${pending}) { number } }`);
	expect(hidden.json.errors[0].extensions.code).toBe('not_found');
	const latest = all.deletedDossiers.nodes[all.deletedDossiers.nodes.length - 1].dateSupression;
	const since = (await gql(sandbox, query, { since: latest })).json.data.demarche.deletedDossiers
		.nodes;
	expect(since.length).toBeGreaterThan(0);
	expect(since.every((d) => Date.parse(d.dateSupression) >= Date.parse(latest))).toBe(true);
});

it('supports the deprecated order: DESC (newest first, after goes older) and refuses it with last', async () => {
	const ascending = await walk({});
	const query = `query($after: String) { demarche(number: 1002) { dossiers(order: DESC, first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { number } } } }`;
	const first = (await gql(sandbox, query)).json.data.demarche.dossiers;
	const second = (await gql(sandbox, query, { after: first.pageInfo.endCursor })).json.data.demarche
		.dossiers;
	const expected = ascending.map((n) => n.number).reverse();
	expect([...first.nodes, ...second.nodes].map((n) => n.number)).toEqual(
		expected.slice(0, first.nodes.length + second.nodes.length),
	);
	const withLast = await gql(
		sandbox,
		'{ demarche(number: 1002) { dossiers(order: DESC, last: 3) { nodes { number } } } }',
	);
	expect(withLast.json.errors[0].extensions.code).toBe('bad_request');
});

it('rejects an invalid date in a filter instead of ignoring it', async () => {
	const json = await page({ updatedSince: 'yesterday' });
	expect(json.data).toBeUndefined();
	expect(json.errors[0].message).toMatch(/yesterday/);
});

it('gives every deleted dossier its own ID across démarches', async () => {
	const ids = [];
	for (const d of [1001, 1002, 1003, 1004, 1005]) {
		const res = await gql(
			sandbox,
			`{ demarche(number: ${d}) { deletedDossiers { nodes { id } } } }`,
		);
		ids.push(...res.json.data.demarche.deletedDossiers.nodes.map((n) => n.id));
	}
	expect(ids.length).toBeGreaterThan(5);
	expect(new Set(ids).size).toBe(ids.length);
});

it('clamps a negative first to 0, as graphql-ruby does: no error, no node, hasNextPage when rows exist', async () => {
	const json = await page({ first: -5 });
	expect(json.errors).toBeUndefined();
	expect(json.data.demarche.dossiers.nodes).toEqual([]);
	expect(json.data.demarche.dossiers.pageInfo).toMatchObject({ hasNextPage: true, endCursor: null });
});
