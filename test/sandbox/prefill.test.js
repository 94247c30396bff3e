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
	'refuses Content-Type %s with the platform\'s message',
	async (contentType) => {
		const res = await post(1005, {}, contentType);
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({ error: 'Content-Type should be json' });
	},
);

it('answers 404 "procedure N is not found" for an unknown, closed or unpublished démarche; a test (brouillon) démarche accepts prefill', async () => {
	const unknown = await post(9999, {});
	expect([unknown.status, await unknown.json()]).toEqual([404, { error: 'procedure 9999 is not found' }]);
	const test = await control(sandbox, 'POST', '/act/demarche', { title: 'Démarche en test', state: 'brouillon' });
	expect((await post(test.number, {})).status).toBe(201);
	for (const state of ['close', 'depubliee']) {
		await control(sandbox, 'POST', `/demarches/${test.number}/settings`, { state });
		const closed = await post(test.number, {});
		expect([closed.status, await closed.json()]).toEqual([404, { error: `procedure ${test.number} is not found` }]);
	}
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
	// An orphan (not claimed by a usager) carries its link; a claimed one its state, nil dates omitted.
	expect(await status()).toEqual([
		{
			dossier_url: created.dossier_url,
			state: 'prefilled',
			dossier_id: created.dossier_id,
			dossier_number: created.dossier_number,
			dossier_prefill_token: created.dossier_prefill_token,
		},
	]);
	await control(sandbox, 'POST', '/act/prefilled', {
		token: created.dossier_prefill_token,
		action: 'claim',
	});
	expect((await status())[0]).toEqual({
		state: 'brouillon',
		dossier_id: created.dossier_id,
		dossier_number: created.dossier_number,
		dossier_prefill_token: created.dossier_prefill_token,
	});
	await control(sandbox, 'POST', '/act/prefilled', {
		token: created.dossier_prefill_token,
		action: 'submit',
	});
	const [submitted] = await status();
	expect(submitted.state).toBe('en_construction');
	// ISO 8601, seconds, Paris offset; no processed_at before a decision.
	expect(submitted.submitted_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$/);
	expect(submitted).not.toHaveProperty('processed_at');

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

it('stores a drop-down value as given, and the demandeur of an individual démarche with "M." or "Mme" ("M" dropped)', async () => {
	const champs = await champsByType(1003);
	const submit = async (body) => {
		const created = await (await post(1003, body)).json();
		await control(sandbox, 'POST', '/act/prefilled', { token: created.dossier_prefill_token, action: 'submit' });
		return (
			await gql(
				sandbox,
				`query($n:Int!){ dossier(number:$n){ demandeur { ... on PersonnePhysique { prenom nom civilite } }
					champs { champDescriptorId prefilled stringValue } } }`,
				{ n: created.dossier_number },
			)
		).json.data.dossier;
	};
	const mme = await submit({
		[`champ_${champs.drop_down_list.id}`]: 'Pas une option',
		identite_prenom: 'Jeanne',
		identite_nom: 'Martin',
		identite_genre: 'Mme',
	});
	expect(mme.demandeur).toEqual({ prenom: 'Jeanne', nom: 'Martin', civilite: 'Mme' });
	// drop_down_list is not in NEED_VALIDATION_TYPES_DE_CHAMPS: stored as given.
	expect(mme.champs.find((c) => c.champDescriptorId === champs.drop_down_list.id)).toMatchObject({
		prefilled: true,
		stringValue: 'Pas une option',
	});
	const monsieur = await submit({ identite_prenom: 'Paul', identite_nom: 'Durand', identite_genre: 'M.' });
	expect(monsieur.demandeur).toEqual({ prenom: 'Paul', nom: 'Durand', civilite: 'M' });
	// What the prefill kept (the usager fills in the rest before submitting).
	const kept = await (await post(1003, { identite_prenom: 'Léo', identite_nom: 'Petit', identite_genre: 'M' })).json();
	const entry = (await control(sandbox, 'GET', '/prefill')).find((e) => e.dossier_prefill_token === kept.dossier_prefill_token);
	expect(entry.identite).toEqual({ prenom: 'Léo', nom: 'Petit' });
});

it('skips blank values, needs "true"/"false" strings for checkboxes, reads a datetime without offset in Paris time', async () => {
	const checkbox = (await champsByType(1005)).checkbox;
	const datetime = (await champsByType(1004)).datetime;
	const text = (await champsByType(1004)).text;
	const submitted = async (demarche, body) => {
		const created = await (await post(demarche, body)).json();
		await control(sandbox, 'POST', '/act/prefilled', { token: created.dossier_prefill_token, action: 'submit' });
		const read = await gql(
			sandbox,
			`query($n:Int!){ dossier(number:$n){ champs { champDescriptorId prefilled stringValue ... on CheckboxChamp { checked: value } ... on DatetimeChamp { datetime } } } }`,
			{ n: created.dossier_number },
		);
		return Object.fromEntries(read.json.data.dossier.champs.map((c) => [c.champDescriptorId, c]));
	};
	const strings = await submitted(1005, { [`champ_${checkbox.id}`]: 'true' });
	expect(strings[checkbox.id]).toMatchObject({ prefilled: true, checked: true });
	const jsonFalse = await submitted(1005, { [`champ_${checkbox.id}`]: false });
	expect(jsonFalse[checkbox.id].prefilled).toBe(false);
	const blank = await submitted(1004, { [`champ_${text.id}`]: '', [`champ_${datetime.id}`]: '2026-07-14T10:30' });
	expect(blank[text.id].prefilled).toBe(false);
	expect(blank[datetime.id]).toMatchObject({ prefilled: true, datetime: '2026-07-14T10:30:00+02:00' });
});

it('throttles POSTs per IP (PR #13951): 429 with the cowboy text and RateLimit-Reset; GET is never throttled', async () => {
	await control(sandbox, 'POST', '/prefill/throttle', { limit: 3, periodSeconds: 15 });
	const statuses = [];
	let last;
	for (let i = 0; i < 4; i++) {
		last = await post(1005, {});
		statuses.push(last.status);
	}
	expect(statuses).toEqual([201, 201, 201, 429]);
	expect(await last.text()).toMatch(/^Calme toi, cowboy !.*\nCalm down, cowboy!.*\n$/);
	expect(last.headers.get('retry-after')).toBeNull();
	expect(last.headers.get('content-type')).toBeNull();
	const reset = Number(last.headers.get('ratelimit-reset'));
	const nowSeconds = Date.now() / 1000;
	expect(reset).toBeGreaterThan(nowSeconds - 1);
	expect(reset).toBeLessThanOrEqual(Math.ceil(nowSeconds) + 15);
	expect((await fetch(`${endpoint(1005)}?prefill_token=x`)).status).toBe(200);
	// Older servers: the rule's path never matched the routed one, so no limit at all.
	await control(sandbox, 'POST', '/modes', { olderServer: true });
	try {
		expect((await post(1005, {})).status).toBe(201);
	} finally {
		await control(sandbox, 'POST', '/modes', { olderServer: false });
	}
});

it('status: that démarche\'s prefilled dossiers in created_at order, tokens as a list or prefill_token[]', async () => {
	const first = await (await post(1005, {})).json();
	const second = await (await post(1005, {})).json();
	const other = await (await post(1004, {})).json();
	const list = await (
		await fetch(`${endpoint(1005)}?prefill_token=${second.dossier_prefill_token},${first.dossier_prefill_token},${other.dossier_prefill_token}`)
	).json();
	expect(list.map((e) => e.dossier_number)).toEqual([first.dossier_number, second.dossier_number]);
	const brackets = await (
		await fetch(`${endpoint(1005)}?prefill_token[]=${second.dossier_prefill_token}&prefill_token[]=${first.dossier_prefill_token}`)
	).json();
	expect(brackets.map((e) => e.dossier_number)).toEqual([first.dossier_number, second.dossier_number]);
});
