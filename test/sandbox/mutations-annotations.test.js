'use strict';
/** Annotations over real HTTP: the batch mutation, the legacy per-type ones, fork mode. */
const { control, gql, start } = require('./helpers');
const { gid, actors, freshDossier, mutate } = require('./mutations-helpers');

let sandbox;
let who;
beforeAll(async () => {
	sandbox = await start({ size: 60 });
	who = await actors(sandbox);
});
afterAll(() => sandbox.stop());

/** Démarche 1001's annotation descriptors by label, read through the API (not the sandbox code). */
async function descriptors() {
	const res = await gql(
		sandbox,
		`{ demarche(number: 1001) { activeRevision { annotationDescriptors { id label type
			... on DropDownListChampDescriptor { options }
			... on MultipleDropDownListChampDescriptor { options }
			... on RepetitionChampDescriptor { champDescriptors { id label type } } } } } }`,
	);
	const list = res.json.data.demarche.activeRevision.annotationDescriptors;
	return Object.fromEntries(list.map((d) => [d.type, d]));
}

const ANNOTATIONS = `query($n: Int!) { dossier(number: $n) { dateDerniereModificationAnnotations annotations {
	id stringValue
	... on CheckboxChamp { checked: value }
	... on YesNoChamp { yes: value }
	... on IntegerNumberChamp { integer: value }
	... on DecimalNumberChamp { decimal: value }
	... on DateChamp { date }
	... on DatetimeChamp { datetime }
	... on MultipleDropDownListChamp { values }
	... on DossierLinkChamp { dossier { number } }
	... on RepetitionChamp { rows { id champs { id stringValue } } } } } }`;

async function annotationsOf(number) {
	const res = await gql(sandbox, ANNOTATIONS, { n: number });
	const d = res.json.data.dossier;
	return {
		date: d.dateDerniereModificationAnnotations,
		byId: Object.fromEntries(d.annotations.map((a) => [a.id, a])),
	};
}

const batch = (number, annotations, token) =>
	mutate(
		sandbox,
		'dossierModifierAnnotations',
		{ dossierId: gid('Dossier', number), instructeurId: who.insider.id, annotations },
		'annotations { id stringValue } errors { message }',
		token,
	);

it('writes every one-of value type in one call and reads them back typed', async () => {
	const d = await descriptors();
	const number = await freshDossier(sandbox, {
		groupe: who.groupe.number,
		state: 'en_instruction',
	});
	const linked = await freshDossier(sandbox, { groupe: who.groupe.number });
	const res = await batch(number, [
		{ id: d.text.id, value: { text: 'Vu en commission' } },
		{ id: d.textarea.id, value: { textarea: 'Ligne 1\nLigne 2' } },
		{ id: d.email.id, value: { email: 'referent@mairie.fr' } },
		{ id: d.checkbox.id, value: { checkbox: true } },
		{ id: d.yes_no.id, value: { yesNo: false } },
		{ id: d.date.id, value: { date: '2025-06-30' } },
		{ id: d.datetime.id, value: { datetime: '2025-06-30T14:15:00+02:00' } },
		{ id: d.integer_number.id, value: { integerNumber: 42 } },
		{ id: d.decimal_number.id, value: { decimalNumber: 12.5 } },
		{ id: d.drop_down_list.id, value: { dropDownList: d.drop_down_list.options[1] } },
		{
			id: d.multiple_drop_down_list.id,
			value: { multipleDropDownList: d.multiple_drop_down_list.options.slice(0, 2) },
		},
		{ id: d.dossier_link.id, value: { dossierLink: String(linked) } },
	]);
	expect(res.data.dossierModifierAnnotations.errors).toBeNull();
	expect(res.data.dossierModifierAnnotations.annotations).toHaveLength(12);
	const { byId } = await annotationsOf(number);
	expect(byId[d.text.id].stringValue).toBe('Vu en commission');
	expect(byId[d.textarea.id].stringValue).toBe('Ligne 1\nLigne 2');
	expect(byId[d.email.id].stringValue).toBe('referent@mairie.fr');
	expect(byId[d.checkbox.id].checked).toBe(true);
	expect(byId[d.yes_no.id].yes).toBe(false);
	expect(byId[d.date.id].date).toBe('2025-06-30');
	expect(byId[d.datetime.id].datetime).toBe('2025-06-30T14:15:00+02:00');
	expect(byId[d.integer_number.id].integer).toBe('42');
	expect(byId[d.decimal_number.id].decimal).toBe(12.5);
	expect(byId[d.drop_down_list.id].stringValue).toBe(d.drop_down_list.options[1]);
	expect(byId[d.multiple_drop_down_list.id].values).toEqual(
		d.multiple_drop_down_list.options.slice(0, 2),
	);
	expect(byId[d.dossier_link.id].dossier).toEqual({ number: linked });
});

it('adds repetition rows, then fills a row’s champ by its row champ ID', async () => {
	const d = await descriptors();
	const number = await freshDossier(sandbox, { groupe: who.groupe.number });
	const before = (await annotationsOf(number)).byId[d.repetition.id].rows.length;
	const added = await batch(number, [{ id: d.repetition.id, value: { repetition: 2 } }]);
	expect(added.data.dossierModifierAnnotations.errors).toBeNull();
	const rows = (await annotationsOf(number)).byId[d.repetition.id].rows;
	expect(rows).toHaveLength(before + 2);
	const textChild = d.repetition.champDescriptors.find((c) => c.type === 'text');
	const target = rows[rows.length - 1].champs.find((c) =>
		Buffer.from(c.id, 'base64')
			.toString()
			.startsWith(`${Buffer.from(textChild.id, 'base64').toString()}|`),
	);
	const filled = await batch(number, [{ id: target.id, value: { text: 'Contrôle sur place' } }]);
	expect(filled.data.dossierModifierAnnotations.errors).toBeNull();
	const after = (await annotationsOf(number)).byId[d.repetition.id].rows;
	expect(after[after.length - 1].champs.find((c) => c.id === target.id).stringValue).toBe(
		'Contrôle sur place',
	);
});

it('moves dateDerniereModificationAnnotations and logs an annotationsUpdated event', async () => {
	const d = await descriptors();
	const number = await freshDossier(sandbox, { groupe: who.groupe.number });
	const since = (await control(sandbox, 'GET', '/events')).pop().sequence;
	const before = await control(sandbox, 'GET', `/dossiers/${number}`);
	await control(sandbox, 'POST', '/clock', { set: before.dateDerniereModificationMs + 120000 });
	try {
		await batch(number, [{ id: d.text.id, value: { text: 'x' } }]);
		const after = await control(sandbox, 'GET', `/dossiers/${number}`);
		expect(after.dateDerniereModificationMs).toBe(before.dateDerniereModificationMs + 120000);
		expect((await annotationsOf(number)).date).toBe(after.dateDerniereModification);
	} finally {
		await control(sandbox, 'POST', '/clock', { real: true });
	}
	const events = await control(sandbox, 'GET', `/events?since=${since}`);
	expect(events).toContainEqual(
		expect.objectContaining({ type: 'annotationsUpdated', dossierNumber: number }),
	);
});

describe('batch errors: nothing is written', () => {
	const cases = [
		[
			'a value of the wrong type',
			(d) => [{ id: d.text.id, value: { checkbox: true } }],
			(d) => `L‘annotation "${d.text.id}" n’est pas de type attendu`,
		],
		[
			'an unknown annotation ID',
			() => [{ id: gid('Champ', 987654), value: { text: 'x' } }],
			() => `L‘annotation "${gid('Champ', 987654)}" n’existe pas`,
		],
		['a champ (not an annotation) ID', null, null],
		[
			'a drop-down value outside the options',
			(d) => [{ id: d.drop_down_list.id, value: { dropDownList: 'Inconnue' } }],
			(d) => `La valeur « Inconnue » n’est pas une option de l‘annotation "${d.drop_down_list.id}"`,
		],
		[
			'an invalid e-mail',
			(d) => [{ id: d.email.id, value: { email: 'pas-un-email' } }],
			() => 'pas-un-email n’est pas une adresse électronique valide',
		],
	];
	it.each(cases)('%s', async (name, writes, message) => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		let annotations;
		let expected;
		if (writes) {
			// A valid write first: it must not be applied either.
			annotations = [{ id: d.text.id, value: { text: 'ne doit pas rester' } }, ...writes(d)];
			expected = message(d);
		} else {
			const champ = (
				await gql(sandbox, `query($n:Int!){ dossier(number:$n){ champs { id } } }`, { n: number })
			).json.data.dossier.champs[0];
			annotations = [{ id: champ.id, value: { text: 'x' } }];
			expected = `L‘annotation "${champ.id}" n’existe pas`;
		}
		const before = await control(sandbox, 'GET', `/dossiers/${number}`);
		const res = await batch(number, annotations);
		expect(res.errors).toBeUndefined();
		expect(res.data.dossierModifierAnnotations).toEqual({
			annotations: [],
			errors: [{ message: expected }],
		});
		expect((await control(sandbox, 'GET', `/dossiers/${number}`)).version).toBe(before.version);
	});

	it('an instructeur without access, and a read-only token', async () => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const outsider = await mutate(
			sandbox,
			'dossierModifierAnnotations',
			{
				dossierId: gid('Dossier', number),
				instructeurId: who.outsider.id,
				annotations: [{ id: d.text.id, value: { text: 'x' } }],
			},
			'errors { message }',
		);
		expect(outsider.data.dossierModifierAnnotations.errors).toEqual([
			{ message: 'L’instructeur n’a pas les droits d’accès à ce dossier' },
		]);
		const readOnly = await batch(
			number,
			[{ id: d.text.id, value: { text: 'x' } }],
			sandbox.tokens.readOnly,
		);
		expect(readOnly.data.dossierModifierAnnotations.errors).toEqual([
			{ message: 'Le jeton utilisé est configuré seulement en lecture' },
		]);
	});

	it('two one-of keys in one value are a GraphQL error', async () => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const res = await batch(number, [{ id: d.text.id, value: { text: 'a', textarea: 'b' } }]);
		expect(res.data).toBeUndefined();
		expect(res.errors[0].message).toMatch(/exactly one key/i);
	});
});

describe('legacy per-type mutations', () => {
	const legacy = (
		name,
		number,
		annotationId,
		value,
		selection = 'annotation { id stringValue } errors { message }',
	) =>
		mutate(
			sandbox,
			name,
			{
				dossierId: gid('Dossier', number),
				instructeurId: who.insider.id,
				annotationId,
				...(value === undefined ? {} : { value }),
			},
			selection,
		);

	it.each([
		['dossierModifierAnnotationText', 'text', 'Relu', 'Relu'],
		['dossierModifierAnnotationText', 'textarea', 'Deux\nlignes', 'Deux\nlignes'],
		['dossierModifierAnnotationCheckbox', 'checkbox', true, 'true'],
		['dossierModifierAnnotationCheckbox', 'yes_no', true, 'true'],
		['dossierModifierAnnotationDate', 'date', '2025-01-31', '31 janvier 2025'],
		[
			'dossierModifierAnnotationDatetime',
			'datetime',
			'2025-01-31T09:05:00+01:00',
			'31 janvier 2025 09:05',
		],
		['dossierModifierAnnotationIntegerNumber', 'integer_number', 7, '7'],
		['dossierModifierAnnotationDecimalNumber', 'decimal_number', 0.25, '0.25'],
		['dossierModifierAnnotationDropDownList', 'drop_down_list', 'Haute', 'Haute'],
	])('%s on a %s annotation', async (name, type, value, stringValue) => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const res = await legacy(name, number, d[type].id, value);
		expect(res.data[name]).toEqual({ annotation: { id: d[type].id, stringValue }, errors: null });
		expect((await annotationsOf(number)).byId[d[type].id].stringValue).toBe(stringValue);
	});

	it('dossierModifierAnnotationAjouterLigne adds one row', async () => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const before = (await annotationsOf(number)).byId[d.repetition.id].rows.length;
		const res = await legacy(
			'dossierModifierAnnotationAjouterLigne',
			number,
			d.repetition.id,
			undefined,
			'annotation { rows { id } } errors { message }',
		);
		expect(res.data.dossierModifierAnnotationAjouterLigne.errors).toBeNull();
		expect(res.data.dossierModifierAnnotationAjouterLigne.annotation.rows).toHaveLength(before + 1);
	});

	it('refuses a type the mutation does not write, and an option outside the list', async () => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const wrong = await legacy('dossierModifierAnnotationCheckbox', number, d.text.id, true);
		expect(wrong.data.dossierModifierAnnotationCheckbox).toEqual({
			annotation: null,
			errors: [{ message: `L‘annotation "${d.text.id}" n’est pas de type attendu` }],
		});
		const option = await legacy(
			'dossierModifierAnnotationDropDownList',
			number,
			d.drop_down_list.id,
			'Urgentissime',
		);
		expect(option.data.dossierModifierAnnotationDropDownList.errors).toHaveLength(1);
	});
});

describe('fork mode', () => {
	afterEach(() => control(sandbox, 'POST', '/modes', { forkMode: false }));

	it('removes dossierModifierAnnotations from introspection and rejects it at validation; legacy mutations still work', async () => {
		const d = await descriptors();
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		await control(sandbox, 'POST', '/modes', { forkMode: true });
		const introspection = await gql(
			sandbox,
			'{ __schema { mutationType { fields(includeDeprecated: true) { name } } } __type(name: "AnnotationValueInput") { name } }',
		);
		const names = introspection.json.data.__schema.mutationType.fields.map((f) => f.name);
		expect(names).not.toContain('dossierModifierAnnotations');
		expect(names).toContain('dossierModifierAnnotationText');
		expect(introspection.json.data.__type).toBeNull();
		const res = await gql(
			sandbox,
			`mutation($id: ID!, $i: ID!, $a: ID!) { dossierModifierAnnotations(input: {dossierId: $id, instructeurId: $i, annotations: [{id: $a, value: {text: "x"}}]}) { errors { message } } }`,
			{ id: gid('Dossier', number), i: who.insider.id, a: d.text.id },
		);
		expect(res.status).toBe(200);
		expect(res.json.data).toBeUndefined();
		expect(res.json.errors[0].message).toMatch(/Cannot query field "dossierModifierAnnotations"/);
		const text = await mutate(
			sandbox,
			'dossierModifierAnnotationText',
			{
				dossierId: gid('Dossier', number),
				instructeurId: who.insider.id,
				annotationId: d.text.id,
				value: 'fork',
			},
			'annotation { stringValue } errors { message }',
		);
		expect(text.data.dossierModifierAnnotationText).toEqual({
			annotation: { stringValue: 'fork' },
			errors: null,
		});
	});
});
