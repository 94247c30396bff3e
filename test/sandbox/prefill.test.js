'use strict';
/** The public prefill REST endpoints over real HTTP. */
const { control, gql, start } = require('./helpers');

let sandbox;
beforeAll(async () => {
	sandbox = await start({ size: 40 });
});
afterAll(() => sandbox.stop());
beforeEach(() => control(sandbox, 'POST', '/prefill/throttle', { limit: 15, periodSeconds: 15 }));

const endpoint = (demarche) => `${sandbox.url}/api/public/v1/demarches/${demarche}/dossiers`;
const post = (demarche, body, contentType = 'application/json') =>
	fetch(endpoint(demarche), {
		method: 'POST',
		headers: { 'Content-Type': contentType },
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});

/** Champ descriptors of a démarche by type, read through the GraphQL API. */
async function champsByType(demarche) {
	const res = await gql(
		sandbox,
		`query($d: Int!) { demarche(number: $d) { activeRevision { champDescriptors { id type label
			... on DropDownListChampDescriptor { options } } } } }`,
		{ d: demarche },
	);
	const out = {};
	for (const d of res.json.data.demarche.activeRevision.champDescriptors)
		if (!out[d.type]) out[d.type] = d;
	return out;
}

it('creates a prefilled dossier: 201 with url, state, id, number and token', async () => {
	const res = await post(1005, {});
	expect(res.status).toBe(201);
	const body = await res.json();
	expect(Object.keys(body).sort()).toEqual([
		'dossier_id',
		'dossier_number',
		'dossier_prefill_token',
		'dossier_url',
		'state',
	]);
	expect(body.state).toBe('prefilled');
	expect(Buffer.from(body.dossier_id, 'base64').toString()).toBe(`Dossier-${body.dossier_number}`);
	expect(body.dossier_url).toContain(body.dossier_prefill_token);
});

it.each(['application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded'])(
	'refuses Content-Type %s',
	async (contentType) => {
		const res = await post(1005, {}, contentType);
		expect(res.status).toBe(400);
		expect((await res.json()).error).toBeTruthy();
	},
);

it('answers 404 for an unknown démarche', async () => {
	expect((await post(9999, {})).status).toBe(404);
});

it('keeps valid values, skips invalid ones silently; the dossier stays invisible until submitted', async () => {
	const champs = await champsByType(1004);
	const body = {
		[`champ_${champs.text.id}`]: 'Rénovation de façade',
		[`champ_${champs.datetime.id}`]: '2026-04-01T08:30:00+02:00',
		[`champ_${champs.integer_number.id}`]: 'douze',
		champ_inconnu: 'ignoré',
	};
	const created = await (await post(1004, body)).json();
	const hidden = await gql(sandbox, 'query($n:Int!){ dossier(number:$n){ number } }', {
		n: created.dossier_number,
	});
	expect(hidden.json.errors[0].extensions.code).toBe('not_found');

	const status = async () =>
		(
			await fetch(`${endpoint(1004)}?prefill_token=${created.dossier_prefill_token},inconnu`)
		).json();
	expect(await status()).toEqual([
		expect.objectContaining({
			dossier_number: created.dossier_number,
			state: 'prefilled',
			submitted_at: null,
		}),
	]);
	await control(sandbox, 'POST', '/act/prefilled', {
		token: created.dossier_prefill_token,
		action: 'claim',
	});
	expect((await status())[0].state).toBe('brouillon');
	await control(sandbox, 'POST', '/act/prefilled', {
		token: created.dossier_prefill_token,
		action: 'submit',
	});
	const [submitted] = await status();
	expect(submitted.state).toBe('en_construction');
	expect(submitted.submitted_at).not.toBeNull();

	const read = await gql(
		sandbox,
		`query($n:Int!){ dossier(number:$n){ prefilled state champs { champDescriptorId prefilled stringValue ... on DatetimeChamp { datetime } } } }`,
		{ n: created.dossier_number },
	);
	const dossier = read.json.data.dossier;
	expect(dossier).toMatchObject({ prefilled: true, state: 'en_construction' });
	const champ = (desc) => dossier.champs.find((c) => c.champDescriptorId === desc.id);
	expect(champ(champs.text)).toMatchObject({
		stringValue: 'Rénovation de façade',
		prefilled: true,
	});
	expect(champ(champs.datetime)).toMatchObject({
		datetime: '2026-04-01T08:30:00+02:00',
		prefilled: true,
	});
	expect(champ(champs.integer_number).prefilled).toBe(false);
});

it('prefills a drop-down only with one of its options, and the demandeur of an individual démarche', async () => {
	const champs = await champsByType(1003);
	const good = await (
		await post(1003, {
			[`champ_${champs.drop_down_list.id}`]: champs.drop_down_list.options[0],
			identite_prenom: 'Jeanne',
			identite_nom: 'Martin',
			identite_genre: 'Mme',
		})
	).json();
	const bad = await (
		await post(1003, { [`champ_${champs.drop_down_list.id}`]: 'Pas une option' })
	).json();
	for (const token of [good.dossier_prefill_token, bad.dossier_prefill_token])
		await control(sandbox, 'POST', '/act/prefilled', { token, action: 'submit' });
	const read = async (n) =>
		(
			await gql(
				sandbox,
				`query($n:Int!){ dossier(number:$n){ demandeur { ... on PersonnePhysique { prenom nom civilite } }
					champs { champDescriptorId prefilled stringValue } } }`,
				{ n },
			)
		).json.data.dossier;
	const goodDossier = await read(good.dossier_number);
	expect(goodDossier.demandeur).toEqual({ prenom: 'Jeanne', nom: 'Martin', civilite: 'Mme' });
	expect(
		goodDossier.champs.find((c) => c.champDescriptorId === champs.drop_down_list.id),
	).toMatchObject({
		prefilled: true,
		stringValue: champs.drop_down_list.options[0],
	});
	const badDossier = await read(bad.dossier_number);
	expect(
		badDossier.champs.find((c) => c.champDescriptorId === champs.drop_down_list.id).prefilled,
	).toBe(false);
});

it('throttles per IP: 429 with RateLimit-Reset once the window is used up', async () => {
	await control(sandbox, 'POST', '/prefill/throttle', { limit: 3, periodSeconds: 15 });
	const statuses = [];
	let last;
	for (let i = 0; i < 4; i++) {
		last = await post(1005, {});
		statuses.push(last.status);
	}
	expect(statuses).toEqual([201, 201, 201, 429]);
	const reset = Number(last.headers.get('ratelimit-reset'));
	const nowSeconds = Date.now() / 1000;
	expect(reset).toBeGreaterThan(nowSeconds - 1);
	expect(reset).toBeLessThanOrEqual(Math.ceil(nowSeconds) + 15);
	expect((await fetch(`${endpoint(1005)}?prefill_token=x`)).status).toBe(429);
});
