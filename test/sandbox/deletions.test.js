'use strict';
/**
 * Deletions as the platform does them (FIDELITY 4.01-4.10): who may hide which dossier, which
 * lists a hidden dossier is in, the daily purge and its back-dated `deleted_at`, restoration.
 * Times are given explicitly (`at`), after every seeded date.
 */
const { control, gql, start } = require('./helpers');

let sandbox;
beforeAll(async () => {
	sandbox = await start({ size: 600 });
});
afterAll(() => sandbox.stop());

const DAY = 86400000;
const T = Date.parse('2026-02-02T10:00:00Z');
const iso = (ms) => new Date(ms).toISOString();
const paris = (ms) => {
	// The platform prints Paris time with its offset (winter: +01:00).
	const d = new Date(ms + 3600000);
	return `${d.toISOString().slice(0, 19)}+01:00`;
};

/** Dossiers of a démarche in a state, not yet used by a test (each test takes its own). */
const taken = new Set();
async function take(demarche, state) {
	const res = await gql(
		sandbox,
		`query($d: Int!, $s: DossierState) { demarche(number: $d) { dossiers(state: $s, first: 100) { nodes { number } } } }`,
		{ d: demarche, s: state },
	);
	const number = res.json.data.demarche.dossiers.nodes.map((n) => n.number).find((n) => !taken.has(n));
	taken.add(number);
	return number;
}

const LISTS = `query($d: Int!, $since: ISO8601DateTime) { demarche(number: $d) {
  dossiers(first: 100) { nodes { number } }
  deletedDossiers(deletedSince: $since) { nodes { id number state reason dateSupression } }
  pendingDeletedDossiers(deletedSince: $since) { nodes { id number state reason dateSupression } } } }`;
async function lists(demarche, since) {
	const all = { dossiers: [], deleted: [], pending: [] };
	// dossiers: walk every page; the deletion lists are short.
	let after = null;
	for (;;) {
		const res = await gql(
			sandbox,
			`query($d: Int!, $after: String) { demarche(number: $d) { dossiers(after: $after) { pageInfo { hasNextPage endCursor } nodes { number } } } }`,
			{ d: demarche, after },
		);
		const { pageInfo, nodes } = res.json.data.demarche.dossiers;
		all.dossiers.push(...nodes.map((n) => n.number));
		if (!pageInfo.hasNextPage) break;
		after = pageInfo.endCursor;
	}
	const res = await gql(sandbox, LISTS, { d: demarche, since: since && iso(since) });
	all.deleted = res.json.data.demarche.deletedDossiers.nodes;
	all.pending = res.json.data.demarche.pendingDeletedDossiers.nodes;
	return all;
}
const numbersOf = (nodes) => nodes.map((n) => n.number);
const hide = (number, by, at, reason) => control(sandbox, 'POST', '/act/hide', { number, by, at: iso(at), reason });
const DATES = 'dateDerniereModification dateSuppressionParUsager dateSuppressionParAdministration';
const dossier = async (number) => (await gql(sandbox, `{ dossier(number: ${number}) { number ${DATES} } }`)).json;

describe('who may hide what (hide_and_keep_track!)', () => {
	it('an en_instruction dossier cannot be hidden, by anyone', async () => {
		const number = await take(1002, 'en_instruction');
		for (const by of ['usager', 'administration', 'expiry'])
			await expect(hide(number, by, T)).rejects.toThrow(/409/);
		expect((await dossier(number)).data.dossier.number).toBe(number);
	});

	it('the administration hides a terminé dossier only (any state when the démarche is removed)', async () => {
		const number = await take(1002, 'en_construction');
		await expect(hide(number, 'administration', T)).rejects.toThrow(/409.*terminé/);
		await hide(number, 'administration', T, 'procedure_removed');
		const { pending } = await lists(1002);
		expect(pending.find((d) => d.number === number)).toMatchObject({ reason: 'procedure_removed', state: 'en_construction' });
	});
});

describe('an en_construction dossier the usager hides', () => {
	let number;
	beforeAll(async () => {
		number = await take(1002, 'en_construction');
		await hide(number, 'usager', T);
	});

	it('leaves dossiers and dossier(number), enters pendingDeletedDossiers (the dossier as item: DeletedDossier-<number>)', async () => {
		const { dossiers, pending } = await lists(1002);
		expect(dossiers).not.toContain(number);
		expect((await dossier(number)).errors[0]).toMatchObject({ message: 'Dossier not found', extensions: { code: 'not_found' } });
		const item = pending.find((d) => d.number === number);
		expect(item).toEqual({
			id: Buffer.from(`DeletedDossier-${number}`).toString('base64'),
			number,
			state: 'en_construction',
			reason: 'user_request',
			dateSupression: paris(T),
		});
	});

	it('is purged by the daily job two weeks later, its deleted_at back-dated to the hide: behind a deletedSince cursor', async () => {
		// Not yet due 13 days later.
		await control(sandbox, 'POST', '/act/purge', { cron: true, at: iso(T + 13 * DAY) });
		expect(numbersOf((await lists(1002)).pending)).toContain(number);
		const purged = await control(sandbox, 'POST', '/act/purge', { cron: true, at: iso(T + 15 * DAY) });
		expect(purged.purged.map((p) => p.number)).toContain(number);
		const { deleted, pending } = await lists(1002);
		expect(numbersOf(pending)).not.toContain(number);
		expect(deleted.find((d) => d.number === number)).toMatchObject({ reason: 'user_request', state: 'en_construction', dateSupression: paris(T) });
		// A poller that read deletedSince up to the day before the purge never sees it.
		expect(numbersOf((await lists(1002, T + 14 * DAY)).deleted)).not.toContain(number);
		expect(numbersOf((await lists(1002, T)).deleted)).toContain(number);
	});
});

describe('a terminé dossier', () => {
	it('hidden by the usager only: still listed, with dateSuppressionParUsager; not pending; never purged alone', async () => {
		const number = await take(1003, 'accepte');
		await hide(number, 'usager', T);
		const { dossiers, pending } = await lists(1003);
		expect(dossiers).toContain(number);
		expect(numbersOf(pending)).not.toContain(number);
		expect((await dossier(number)).data.dossier).toMatchObject({ dateSuppressionParUsager: paris(T), dateSuppressionParAdministration: null, dateDerniereModification: paris(T) });
		await control(sandbox, 'POST', '/act/purge', { cron: true, at: iso(T + 40 * DAY) });
		expect((await lists(1003)).dossiers).toContain(number);
	});

	it('hidden by the administration, then by the usager: pending until both are two weeks old; purged with the last reason, not back-dated', async () => {
		const number = await take(1004, 'refuse');
		await hide(number, 'administration', T);
		expect((await dossier(number)).errors[0].extensions.code).toBe('not_found');
		let item = (await lists(1004)).pending.find((d) => d.number === number);
		expect(item).toMatchObject({ reason: 'instructeur_request', dateSupression: paris(T) });
		await control(sandbox, 'POST', '/act/purge', { cron: true, at: iso(T + 20 * DAY) });
		expect(numbersOf((await lists(1004)).pending)).toContain(number);
		await hide(number, 'usager', T + 21 * DAY);
		// dateSupression stays the administration's; deletedSince matches either hide.
		item = (await lists(1004, T + 21 * DAY)).pending.find((d) => d.number === number);
		expect(item).toMatchObject({ reason: 'user_request', dateSupression: paris(T) });
		await control(sandbox, 'POST', '/act/purge', { cron: true, at: iso(T + 30 * DAY) });
		expect(numbersOf((await lists(1004)).pending)).toContain(number);
		await control(sandbox, 'POST', '/act/purge', { cron: true, at: iso(T + 36 * DAY) });
		const deleted = (await lists(1004)).deleted.find((d) => d.number === number);
		expect(deleted).toMatchObject({ reason: 'user_request', state: 'refuse', dateSupression: paris(T + 36 * DAY) });
	});
});

describe('expiry', () => {
	it('takes a dossier out of dossiers and out of both deletion lists; the purge lists it as expired', async () => {
		const number = await take(1005, 'sans_suite');
		await hide(number, 'expiry', T);
		let state = await lists(1005);
		expect(state.dossiers).not.toContain(number);
		expect(numbersOf(state.pending)).not.toContain(number);
		expect(numbersOf(state.deleted)).not.toContain(number);
		await control(sandbox, 'POST', '/act/purge', { cron: true, at: iso(T + 15 * DAY) });
		state = await lists(1005);
		expect(state.deleted.find((d) => d.number === number)).toMatchObject({ reason: 'expired', dateSupression: paris(T + 15 * DAY) });
	});
});

describe('restoration', () => {
	it('is an update: the dossier comes back in dossiers(updatedSince:) with a new dateDerniereModification', async () => {
		const number = await take(1003, 'sans_suite');
		await hide(number, 'administration', T);
		await control(sandbox, 'POST', '/clock', { set: iso(T + DAY) });
		try {
			await control(sandbox, 'POST', '/act/restore', { number, by: 'administration' });
		} finally {
			await control(sandbox, 'POST', '/clock', { real: true });
		}
		const res = await gql(
			sandbox,
			`query($since: ISO8601DateTime) { demarche(number: 1003) { dossiers(updatedSince: $since) { nodes { number dateDerniereModification dateSuppressionParAdministration } } } }`,
			{ since: iso(T + DAY) },
		);
		expect(res.json.data.demarche.dossiers.nodes).toContainEqual({ number, dateDerniereModification: paris(T + DAY), dateSuppressionParAdministration: null });
	});
});

describe('the seed follows the same rules', () => {
	it('no en_instruction dossier is hidden or purged by the rules that exclude it; pending items are en_construction hidden by the usager or hidden by the administration', async () => {
		const fresh = await start({ size: 3000 });
		try {
			for (const d of [1001, 1002, 1003, 1004, 1005]) {
				const res = await gql(fresh, LISTS, { d });
				const { deletedDossiers, pendingDeletedDossiers } = res.json.data.demarche;
				for (const p of pendingDeletedDossiers.nodes) {
					expect(p.state).not.toBe('en_instruction');
					if (p.state === 'en_construction') expect(p.reason).toBe('user_request');
					else expect(p.reason).toBe('instructeur_request');
				}
				for (const x of deletedDossiers.nodes) {
					expect(x.state).not.toBe('en_instruction');
					expect(['user_request', 'expired', 'instructeur_request']).toContain(x.reason);
				}
			}
			const counts = (await control(fresh, 'GET', '/counts')).byDemarche;
			const total = (key) => Object.values(counts).reduce((n, c) => n + c[key], 0);
			expect(total('pendingDeleted')).toBeGreaterThan(5);
			expect(total('hiddenByExpiry')).toBeGreaterThan(3);
			expect(total('deleted')).toBeGreaterThan(10);
		} finally {
			await fresh.stop();
		}
	});
});
