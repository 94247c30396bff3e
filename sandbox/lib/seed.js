'use strict';
/**
 * Seeding: builds a Store from (seed, size). Deterministic: the same options give the same
 * démarches, numbers, states and dates. Dossier contents stay lazy (see store.js).
 * `FACTS` lists what tests can rely on without reading the data first.
 */
const { Store, newRecord } = require('./store');
const { DEMARCHES, INSTRUCTEURS, EVERY_CHAMP } = require('./demarches');
const { rng, globalId } = require('./util');
const { fileRef, DAY } = require('./generate');
const C = require('./catalog');

/** Seeded dossiers are deposited in [SEED_START, SEED_END); every seeded date stays before SEED_END. */
const SEED_START = Date.UTC(2024, 0, 8, 8, 0, 0);
const SEED_END = Date.UTC(2026, 0, 1, 0, 0, 0);
const FIRST_DOSSIER_NUMBER = 10001;
const FIRST_GROUPE_NUMBER = 501;
const INTEGER_BEYOND_2_53 = '9007199254740993';

const TOKENS = {
	admin: 'sandbox-admin-token',
	readOnly: 'sandbox-readonly-token',
	expired: 'sandbox-expired-token',
	forbiddenNetwork: 'sandbox-forbidden-network-token',
	scoped: 'sandbox-scoped-token',
};

/** Token properties: which démarches, write access, expiry, allowed networks. */
function tokenTable() {
	return {
		[TOKENS.admin]: { name: 'admin', demarches: 'all', write: true },
		[TOKENS.readOnly]: { name: 'readOnly', demarches: 'all', write: false },
		[TOKENS.expired]: {
			name: 'expired',
			demarches: 'all',
			write: true,
			expiresAt: Date.UTC(2025, 0, 1),
		},
		[TOKENS.forbiddenNetwork]: {
			name: 'forbiddenNetwork',
			demarches: 'all',
			write: true,
			allowedNetworks: ['10.20.0.0/16'],
		},
		[TOKENS.scoped]: { name: 'scoped', demarches: [1002, 1003], write: true },
	};
}

function seedStore({ seed = 'sandbox', size = 1000, clock }) {
	const store = new Store({ seed: String(seed), clock });
	const r = rng(seed, 'world');

	INSTRUCTEURS.forEach((login, i) => {
		const id = i + 1;
		store.instructeurs.set(id, { id, email: `${login}@demarches-exemple.gouv.fr` });
	});
	const instructeurIdByLogin = (login) => INSTRUCTEURS.indexOf(login) + 1;

	let groupeNumber = FIRST_GROUPE_NUMBER;
	let labelId = 1;
	let revisionId = 1;
	for (const def of DEMARCHES) {
		const createdAt = SEED_START - 120 * DAY + def.number * 3600000;
		const revisionIds = [];
		for (const version of [1, 2]) {
			const keep = (d) => !d.sinceRevision || d.sinceRevision <= version;
			const id = revisionId++;
			store.revisions.set(id, {
				id,
				gid: globalId('ProcedureRevision', id),
				demarche: def.number,
				version,
				dateCreation: createdAt + (version - 1) * 200 * DAY,
				datePublication: createdAt + (version - 1) * 200 * DAY + DAY,
				champs: def.champs.filter(keep),
				annotations: def.annotations.filter(keep),
			});
			revisionIds.push(id);
		}
		const groupeNumbers = def.groupes.map((g) => {
			const number = groupeNumber++;
			store.groupes.set(number, {
				number,
				demarche: def.number,
				label: g.label,
				closed: Boolean(g.closed),
				instructeurIds: g.instructeurs.map(instructeurIdByLogin),
			});
			return number;
		});
		const labelIds = def.labels.map((name, i) => {
			const id = labelId++;
			store.labels.set(id, {
				id,
				demarche: def.number,
				name,
				color: C.LABEL_COLORS[i % C.LABEL_COLORS.length],
			});
			return id;
		});
		store.demarches.set(def.number, {
			number: def.number,
			title: def.title,
			description: def.description,
			forIndividual: def.forIndividual,
			state: 'publiee',
			declarative: null,
			dateCreation: createdAt,
			datePublication: createdAt + 2 * DAY,
			dateDerniereModification: createdAt + 201 * DAY,
			service: { id: globalId('Service', def.number - 900), ...def.service },
			revisionIds,
			activeRevisionId: revisionIds[revisionIds.length - 1],
			groupeNumbers,
			labelIds,
			administrateurs: [
				{ id: globalId('Administrateur', 1), email: 'admin@demarches-exemple.gouv.fr' },
			],
			weight: def.weight,
		});
	}

	seedDossiers(store, Number(size), r);
	return store;
}

const STATES = [
	['en_construction', 0.3],
	['en_instruction', 0.25],
	['accepte', 0.25],
	['refuse', 0.1],
	['sans_suite', 0.1],
];

function pickState(r) {
	let x = r.next();
	for (const [state, p] of STATES) {
		if ((x -= p) < 0) return state;
	}
	return 'en_construction';
}

function seedDossiers(store, size, worldRng) {
	const demarches = [...store.demarches.values()];
	const totalWeight = demarches.reduce((s, d) => s + d.weight, 0);
	const span = SEED_END - 40 * DAY - SEED_START;
	const lastDepotByDemarche = new Map();
	const recentByDemarche = new Map();
	for (let i = 0; i < size; i++) {
		const number = FIRST_DOSSIER_NUMBER + i;
		const r = rng(store.seed, 'dossier', number);
		// The first dossiers go one per démarche, so each démarche has dossiers even for tiny sizes.
		let demarche = demarches[i % demarches.length];
		if (i >= demarches.length) {
			let x = r.next() * totalWeight;
			for (const d of demarches)
				if ((x -= d.weight) < 0) {
					demarche = d;
					break;
				}
		}
		// Deposit order differs from number order (numbers are given at draft creation); some dossiers
		// share the exact same deposit second to exercise the "then id" tie-break.
		let depotAt =
			Math.floor(
				(SEED_START +
					(i / Math.max(1, size)) * span +
					r.int(-3, 3) * DAY +
					r.int(0, 86399) * 1000) /
					1000,
			) * 1000;
		if (i % 37 === 36 && lastDepotByDemarche.has(demarche.number))
			depotAt = lastDepotByDemarche.get(demarche.number);
		depotAt = Math.max(SEED_START, depotAt);
		lastDepotByDemarche.set(demarche.number, depotAt);

		const open = demarche.groupeNumbers.filter((g) => !store.groupes.get(g).closed);
		const groupe = r.chance(0.03)
			? demarche.groupeNumbers[demarche.groupeNumbers.length - 1]
			: open[number % open.length];
		const revisionId = r.chance(0.3) ? demarche.revisionIds[0] : demarche.activeRevisionId;
		const record = newRecord({ number, demarche: demarche.number, groupe, revisionId, depotAt });
		const state = pickState(r);
		record.traitements.push({
			event: 'depose',
			state: 'en_construction',
			at: depotAt,
			motivation: null,
			email: null,
		});
		let last = depotAt;
		const agent = store.someInstructeurEmail(record);
		if (state !== 'en_construction') {
			record.instructionAt = last = depotAt + r.int(1, 30) * DAY + r.int(0, 3600) * 1000;
			record.traitements.push({
				event: 'passe_en_instruction',
				state: 'en_instruction',
				at: last,
				motivation: null,
				email: agent,
			});
		}
		if (['accepte', 'refuse', 'sans_suite'].includes(state)) {
			record.traitementAt = last =
				record.instructionAt + r.int(1, 40) * DAY + r.int(0, 3600) * 1000;
			record.motivation =
				state === 'accepte'
					? r.chance(0.5)
						? 'Dossier complet et conforme.'
						: null
					: state === 'refuse'
						? 'Le projet ne répond pas aux critères d’éligibilité.'
						: 'Demande sans objet.';
			record.traitements.push({
				event: { accepte: 'accepte', refuse: 'refuse', sans_suite: 'classe_sans_suite' }[state],
				state,
				at: last,
				motivation: record.motivation,
				email: agent,
			});
			record.archived = r.chance(0.3);
		}
		record.state = state;
		record.seededMessages = r.chance(0.5) ? r.int(1, 3) : 0;
		record.seededAvis = state !== 'en_construction' && r.chance(0.3);
		record.champsModifiedAt = depotAt;
		record.annotationsModifiedAt =
			state === 'en_construction' ? depotAt : record.instructionAt + DAY;
		record.modifiedAt = Math.min(
			SEED_END - 1000,
			Math.max(last, record.annotationsModifiedAt) + r.int(0, 5) * DAY,
		);
		record.labelIds = demarche.labelIds.filter(() => r.chance(0.15));
		record.followerIds = r.chance(0.4) ? [store.groupes.get(groupe).instructeurIds[0]] : [];
		const recent = recentByDemarche.get(demarche.number) || [];
		record.linkCandidates = recent.slice();
		recent.push(number);
		if (recent.length > 5) recent.shift();
		recentByDemarche.set(demarche.number, recent);

		store.insertRecord(record);
		const fate = r.next();
		if (i >= demarches.length * 2 && fate < 0.02) {
			store.purge(
				record,
				r.pick([
					'user_request',
					'expired',
					'instructeur_request',
					'procedure_removed',
					'user_removed',
				]),
				Math.min(SEED_END - 1000, record.modifiedAt + r.int(1, 30) * DAY),
			);
		} else if (i >= demarches.length * 2 && fate < 0.03) {
			record.hidden = {
				at: Math.min(SEED_END - 1000, record.modifiedAt + r.int(1, 10) * DAY),
				reason: state === 'en_construction' ? 'user_request' : 'instructeur_request',
			};
		}
	}
	store.nextDossierNumber = FIRST_DOSSIER_NUMBER + size;
	makeEveryChampDossier(store);
}

/** The showcase dossier of the "every champ" démarche: every champ and annotation filled, files, rows, areas. */
function makeEveryChampDossier(store) {
	const record = store.getDossier(FIRST_DOSSIER_NUMBER);
	if (!record) return;
	const demarche = store.demarches.get(EVERY_CHAMP);
	const revision = store.revisions.get(demarche.activeRevisionId);
	record.revisionId = revision.id;
	record.hidden = null;
	record.archived = false;
	const at = record.depotAt;
	// Always en_instruction, whatever the seed drew: tests rely on it.
	record.state = 'en_instruction';
	record.instructionAt = record.instructionAt || at + 2 * DAY;
	record.traitementAt = null;
	record.motivation = null;
	record.traitements = [
		{ event: 'depose', state: 'en_construction', at, motivation: null, email: null },
		{
			event: 'passe_en_instruction',
			state: 'en_instruction',
			at: record.instructionAt,
			motivation: null,
			email: store.someInstructeurEmail(record),
		},
	];
	record.annotationsModifiedAt = record.instructionAt + DAY;
	record.seededMessages = 3;
	record.seededAvis = true;
	record.labelIds = demarche.labelIds.slice(0, 2);
	const byLabel = (descs, label) => descs.find((d) => d.label === label).stableId;
	const linked = store.listFor(EVERY_CHAMP, 'depot').find((r) => r !== record && !r.hidden);
	const champs = revision.champs;
	const pj = (slot, n, size) =>
		fileRef(
			`s${record.number}-${slot}-${n}-${size}`,
			`justificatif-${n + 1}.pdf`,
			'application/pdf',
			size,
			at - DAY,
		);
	const communeRow = (i) => ({ rowId: `${record.number}b${i}`, values: {} });
	const membres = champs.find((d) => d.label === 'Membres du bureau');
	const rows = [0, 1].map((i) => {
		const row = communeRow(i);
		row.values[membres.children[0].stableId] = i === 0 ? 'Camille Martin' : 'Hugo Bernard';
		row.values[membres.children[1].stableId] = i === 0 ? 'Président' : 'Trésorier';
		row.values[membres.children[2].stableId] = i === 0 ? '2021-09-01' : '2022-01-15';
		return row;
	});
	const values = {
		[byLabel(champs, 'Nom du projet')]: 'Jardin partagé des Tilleuls',
		[byLabel(champs, 'Avez-vous déjà déposé une demande ?')]: true,
		[byLabel(champs, 'Nombre de bénéficiaires précédents')]: '120',
		[byLabel(champs, 'Population concernée')]: INTEGER_BEYOND_2_53,
		[byLabel(champs, 'Montant en euros')]: 12500.5,
		[byLabel(champs, 'J’accepte les conditions générales')]: true,
		[byLabel(champs, 'Publics visés')]: ['Enfants', 'Seniors'],
		[byLabel(champs, 'Justificatif de domicile')]: [
			pj(byLabel(champs, 'Justificatif de domicile'), 0, 2048),
			pj(byLabel(champs, 'Justificatif de domicile'), 1, 5120),
		],
		[membres.stableId]: rows,
		[byLabel(champs, 'Dossier lié')]: linked ? linked.number : null,
		[byLabel(champs, 'Référence interne du demandeur')]: 'REF-2024-001',
	};
	const annotations = revision.annotations;
	const controles = annotations.find((d) => d.label === 'Contrôles');
	const annotationValues = {
		[byLabel(annotations, 'Note interne')]: 'Dossier prioritaire',
		[byLabel(annotations, 'Avis détaillé')]: 'Projet cohérent avec la politique de la ville.',
		[byLabel(annotations, 'E-mail du référent')]: 'referent@demarches-exemple.gouv.fr',
		[byLabel(annotations, 'Pièces vérifiées')]: true,
		[byLabel(annotations, 'Visite sur place nécessaire')]: false,
		[byLabel(annotations, 'Date de la commission')]: '2024-06-18',
		[byLabel(annotations, 'Rendez-vous')]: Date.UTC(2024, 5, 20, 8, 30),
		[byLabel(annotations, 'Score')]: '17',
		[byLabel(annotations, 'Montant accordé')]: 10000.25,
		[byLabel(annotations, 'Priorité')]: 'Haute',
		[byLabel(annotations, 'Services consultés')]: ['Urbanisme', 'Finances'],
		[byLabel(annotations, 'Dossier précédent')]: linked ? linked.number : null,
		[controles.stableId]: [
			{
				rowId: `${record.number}c0`,
				values: {
					[controles.children[0].stableId]: '2024-07-01',
					[controles.children[1].stableId]: 'Conforme',
				},
			},
		],
	};
	const instructeur = store.someInstructeurEmail(record);
	const messageAt = (record.instructionAt || at) + 3600000;
	record.ovr = {
		champs: values,
		annotations: annotationValues,
		messages: [
			{
				id: globalId('Commentaire', record.number * 10 + 9),
				body: 'Merci de joindre le plan de financement signé.',
				email: instructeur,
				createdAt: messageAt,
				attachments: [
					fileRef(
						`m${record.number}-9-3072`,
						'modele-plan-de-financement.pdf',
						'application/pdf',
						3072,
						messageAt,
					),
				],
				correction: { reason: 'incomplete', dateResolution: messageAt + DAY },
				discardedAt: null,
			},
		],
		avis: [
			{
				id: globalId('Avis', record.number * 10 + 9),
				question: 'Le projet respecte-t-il le règlement de voirie ?',
				questionLabel: null,
				questionAnswer: null,
				reponse: 'Oui, sous réserve d’un balisage du chantier.',
				dateQuestion: messageAt,
				dateReponse: messageAt + 2 * DAY,
				claimant: {
					id: globalId('Instructeur', store.instructeurIdByEmail(instructeur)),
					email: instructeur,
				},
				expert: { id: globalId('Expert', 1), email: 'expert.voirie@exemple.gouv.fr' },
				attachments: [
					fileRef(
						`a${record.number}-9-4096`,
						'avis-voirie.pdf',
						'application/pdf',
						4096,
						messageAt + 2 * DAY,
					),
				],
			},
		],
	};
	// The record is already in the sorted lists: move it, do not just edit its key.
	store.reposition(record, 'modified', () => {
		record.modifiedAt = Math.min(SEED_END - 1000, Math.max(record.modifiedAt, messageAt + 2 * DAY));
	});
	record.version += 1;
}

/** The seed's fixed facts, for tests that write expectations by hand. */
function factsFor(store) {
	const lists = [...store.demarches.keys()].reduce(
		(acc, n) => ({ ...acc, [n]: store.listFor(n, 'depot').filter((r) => !r.hidden).length }),
		{},
	);
	return {
		demarches: {
			everyChamp: 1001,
			subvention: 1002,
			occupation: 1003,
			chantier: 1004,
			transport: 1005,
		},
		everyChampDossier: FIRST_DOSSIER_NUMBER,
		firstDossierNumber: FIRST_DOSSIER_NUMBER,
		integerBeyond2p53: INTEGER_BEYOND_2_53,
		duplicateLabel: 'Commentaire',
		scopedTokenDemarches: [1002, 1003],
		seedStart: new Date(SEED_START).toISOString(),
		seedEnd: new Date(SEED_END).toISOString(),
		groupes: [...store.groupes.values()].map((g) => ({
			number: g.number,
			demarche: g.demarche,
			label: g.label,
			closed: g.closed,
		})),
		instructeurs: [...store.instructeurs.values()].map((i) => ({
			id: globalId('Instructeur', i.id),
			email: i.email,
		})),
		visibleDossiersByDemarche: lists,
	};
}

module.exports = {
	seedStore,
	factsFor,
	tokenTable,
	TOKENS,
	SEED_START,
	SEED_END,
	FIRST_DOSSIER_NUMBER,
	INTEGER_BEYOND_2_53,
};
