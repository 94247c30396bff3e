'use strict';
/**
 * Seeding: builds a Store from (seed, size). Deterministic: the same options give the same
 * démarches, numbers, states and dates. Dossier contents stay lazy (see store.js).
 * `FACTS` lists what tests can rely on without reading the data first.
 */
const { Store, newRecord } = require('./store');
const { DEMARCHES, INSTRUCTEURS, EVERY_CHAMP, OCCUPATION } = require('./demarches');
const { rng, globalId } = require('./util');
const { DAY } = require('./generate');
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
	autoDetect: 'sandbox-autodetect-token',
};

/** A token's lifetime on today's platform: at most 365 days (PR #13777; eternal ones dated by #13798). */
const TOKEN_MAX_LIFETIME_DAYS = 365;

const PARIS_OFFSET = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Paris', timeZoneName: 'longOffset' });

/** The instant a Paris calendar day ends (its next midnight, Paris time), for the day holding `ms`. */
function endOfParisDay(ms) {
	const offsetAt = (at) => {
		const m = /GMT([+-])(\d{2}):(\d{2})/.exec(
			PARIS_OFFSET.formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName').value,
		);
		return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60000 : 0;
	};
	const local = new Date(ms + offsetAt(ms));
	const nextMidnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1);
	return nextMidnight - offsetAt(nextMidnight - offsetAt(nextMidnight));
}

/**
 * When tokens created now stop working: `expires_at` is a date and the token works through that
 * whole day (Paris), so the instant kept here is the end of that day; every token has one since
 * PRs #13777/#13798 (none is eternal any more).
 */
function tokenExpiry(createdAt) {
	return endOfParisDay(createdAt + TOKEN_MAX_LIFETIME_DAYS * DAY);
}

/** Token properties: which démarches, write access, expiry, allowed networks. */
function tokenTable(createdAt = Date.now()) {
	const expiresAt = tokenExpiry(createdAt);
	return {
		[TOKENS.admin]: { name: 'admin', demarches: 'all', write: true, expiresAt },
		[TOKENS.readOnly]: { name: 'readOnly', demarches: 'all', write: false, expiresAt },
		[TOKENS.expired]: {
			name: 'expired',
			demarches: 'all',
			write: true,
			// Expired on 2025-01-01 (Paris): it worked through that day.
			expiresAt: endOfParisDay(Date.UTC(2025, 0, 1, 12)),
		},
		[TOKENS.forbiddenNetwork]: {
			name: 'forbiddenNetwork',
			demarches: 'all',
			write: true,
			allowedNetworks: ['10.20.0.0/16'],
			expiresAt,
		},
		[TOKENS.scoped]: { name: 'scoped', demarches: [1002, 1003], write: true, expiresAt },
		// "Détection automatique" (PR #13357): locked to the address of its first call.
		[TOKENS.autoDetect]: { name: 'autoDetect', demarches: 'all', write: true, allowedNetworks: 'auto', expiresAt },
	};
}

/**
 * A démarche from its definition (demarches.js): two revisions (champs with `sinceRevision: 2`
 * only in the second), groupes, labels. `settings`: the platform's per-démarche switches the
 * mutations read (`state`, `declarative`, `svaSvr`, `flags`), also set by the control API.
 */
function addDemarche(store, def) {
	const createdAt = def.createdAt !== undefined ? def.createdAt : SEED_START - 120 * DAY + def.number * 3600000;
	const next = (map, first) => Math.max(first - 1, ...map.keys()) + 1;
	const instructeurId = (login) => {
		const email = login.includes('@') ? login : `${login}@demarches-exemple.gouv.fr`;
		const known = store.instructeurIdByEmail(email);
		if (known !== null) return known;
		const id = next(store.instructeurs, 1);
		store.instructeurs.set(id, { id, email });
		return id;
	};
	const revisionIds = [];
	for (const version of [1, 2]) {
		const keep = (d) => !d.sinceRevision || d.sinceRevision <= version;
		const id = next(store.revisions, 1);
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
		const number = next(store.groupes, FIRST_GROUPE_NUMBER);
		store.groupes.set(number, {
			number,
			demarche: def.number,
			label: g.label,
			closed: Boolean(g.closed),
			instructeurIds: g.instructeurs.map(instructeurId),
		});
		return number;
	});
	const labelIds = def.labels.map((name, i) => {
		const id = next(store.labels, 1);
		store.labels.set(id, {
			id,
			demarche: def.number,
			name,
			color: C.LABEL_COLORS[i % C.LABEL_COLORS.length],
		});
		return id;
	});
	const demarche = {
		number: def.number,
		title: def.title,
		description: def.description,
		forIndividual: def.forIndividual,
		state: def.state || 'publiee',
		// Démarche déclarative: 'en_instruction' | 'accepte' | null (dossiers move on at the deposit).
		declarative: def.declarative || null,
		// Silence vaut accord / rejet: 'sva' | 'svr' | null.
		svaSvr: def.svaSvr || null,
		// Flipper flags per démarche (blocking_pending_correction…).
		flags: { ...(def.flags || {}) },
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
		weight: def.weight || 0,
	};
	store.demarches.set(def.number, demarche);
	return demarche;
}

function seedStore({ seed = 'sandbox', size = 1000, clock }) {
	const store = new Store({ seed: String(seed), clock });
	const r = rng(seed, 'world');

	INSTRUCTEURS.forEach((login, i) => {
		const id = i + 1;
		store.instructeurs.set(id, { id, email: `${login}@demarches-exemple.gouv.fr` });
	});

	for (const def of DEMARCHES) addDemarche(store, def);

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
		if (i >= demarches.length * 2) seedDeletion(store, record, r.next(), r);
	}
	store.nextDossierNumber = FIRST_DOSSIER_NUMBER + size;
	makeEveryChampDossier(store);
	linkOutsideScope(store);
}

const TERMINE = ['accepte', 'refuse', 'sans_suite'];

/**
 * A seeded dossier's deletion history, as the platform's rules allow it (hide_and_keep_track!,
 * purge_discarded @e1338d7), for about 4% of dossiers: purged (2%), pending deletion (1%), hidden
 * by expiry (0.5%: in no list), terminé and hidden by the usager only (0.5%: still listed). An
 * en_instruction dossier is never hidden. A hide is an update (dateDerniereModification); a dossier
 * the cron would already have purged (hidden two weeks before the seed's end) is purged, back-dated
 * to the usager's hide when it was en construction.
 */
function seedDeletion(store, record, fate, r) {
	if (fate >= 0.04 || record.state === 'en_instruction') return;
	const termine = TERMINE.includes(record.state);
	const latest = SEED_END - 1000;
	const hideAt = (minDays, maxDays) =>
		Math.min(latest, record.modifiedAt + r.int(minDays, maxDays) * DAY);
	// Recent enough for the daily cron not to have purged it yet (under 14 days before the seed's end).
	const recentHide = () => Math.max(record.modifiedAt + 3600000, latest - r.int(1, 13) * DAY);
	const touch = (at) => store.reposition(record, 'modified', () => (record.modifiedAt = at));
	if (fate < 0.02) {
		// Purged by the cron, at least 14 days after the hide that made it due.
		const hiddenAt = hideAt(1, 30);
		const purgeAt = Math.min(latest, hiddenAt + r.int(14, 30) * DAY);
		if (purgeAt - hiddenAt < 14 * DAY) return;
		const how = r.pick(
			termine ? ['user_request', 'expired', 'instructeur_request'] : ['user_request', 'expired'],
		);
		if (how === 'expired') record.hiddenByExpiredAt = hiddenAt;
		else {
			record.hiddenByUserAt = hiddenAt;
			// A terminé dossier is purged once both sides hid it; the reason is the last hide's.
			if (termine) record.hiddenByAdministrationAt = hiddenAt - r.int(1, 3) * DAY;
		}
		record.hiddenByReason = how === 'instructeur_request' ? 'instructeur_request' : how;
		if (how === 'instructeur_request') {
			record.hiddenByAdministrationAt = hiddenAt;
			record.hiddenByUserAt = hiddenAt - r.int(1, 3) * DAY;
		}
		store.purgeDiscardedDossier(record.number, { at: purgeAt, event: false });
		return;
	}
	if (fate < 0.03) {
		// Pending deletion: an en_construction dossier the usager hid (recently), or a terminé one the
		// administration hid (it stays pending until the usager hides it too).
		if (record.state === 'en_construction') {
			record.hiddenByUserAt = recentHide();
			record.hiddenByReason = 'user_request';
			touch(record.hiddenByUserAt);
		} else {
			record.hiddenByAdministrationAt = hideAt(1, 10);
			record.hiddenByReason = 'instructeur_request';
			touch(record.hiddenByAdministrationAt);
		}
		return;
	}
	if (fate < 0.035) {
		// Hidden by expiry (recently): out of `dossiers`, in no deletion list until purged.
		record.hiddenByExpiredAt = recentHide();
		record.hiddenByReason = 'expired';
		touch(record.hiddenByExpiredAt);
		return;
	}
	if (termine) {
		// Hidden by the usager only: still listed, with dateSuppressionParUsager.
		record.hiddenByUserAt = hideAt(1, 10);
		record.hiddenByReason = 'user_request';
		touch(record.hiddenByUserAt);
	}
}

/** The occupation dossier whose "Autorisation précédente" links into the every-champ démarche. */
const HIDDEN_LINK = {
	demarche: OCCUPATION,
	champ: 'Autorisation précédente',
	linkedDossier: FIRST_DOSSIER_NUMBER,
};

/**
 * A dossier-link champ pointing into a démarche the scoped token does not cover (1001): read with
 * that token, the platform nulls the champ's `dossier` and adds an `unauthorized` error at its
 * path (DossierLinkChampType + Schema.unauthorized_object), the rest of the dossier intact.
 */
function linkOutsideScope(store) {
	const record = store.listFor(HIDDEN_LINK.demarche, 'depot').find((r) => !r.hidden);
	if (!record || !store.getDossier(HIDDEN_LINK.linkedDossier)) return;
	const desc = store.revisionOf(record).champs.find((d) => d.label === HIDDEN_LINK.champ);
	const ovr = store.ovr(record);
	ovr.champs = { ...(ovr.champs || {}), [desc.stableId]: HIDDEN_LINK.linkedDossier };
	record.version += 1;
	store.hiddenLinkDossier = record.number;
}

/**
 * The showcase dossier of the "every champ" démarche (number 10001), written out in full so tests
 * can state expectations by hand. Raw value formats: see generate.js. Times are UTC here; the API
 * prints them in Paris time (2024-03-20T13:30Z → "2024-03-20T14:30:00+01:00").
 */
const SHOWCASE = {
	depotAt: Date.UTC(2024, 1, 5, 9, 30, 0),
	instructionAt: Date.UTC(2024, 1, 12, 10, 0, 0),
	groupe: 'Instruction renforcée',
	usager: { email: 'camille.martin@exemple.fr' },
	demandeur: {
		civilite: 'Mme',
		nom: 'Martin',
		prenom: 'Camille',
		email: 'camille.martin@exemple.fr',
		dateDeNaissance: '1985-06-14',
	},
	labels: ['Urgent', 'À relancer'],
	followers: ['claire.martin'],
	champs: {
		'Votre projet': null,
		'Merci de renseigner chaque champ. Les pièces justificatives sont au format PDF.': null,
		'Nom du projet': 'Jardin partagé des Tilleuls',
		'Description du projet':
			'Création d’un jardin partagé de 400 m² au pied des immeubles.\nOuvert à tous les habitants du quartier.',
		'Adresse électronique de contact': 'contact@jardin-tilleuls.fr',
		Téléphone: '06 12 34 56 78',
		IBAN: 'FR76 3000 6000 0112 3456 7890 189',
		'Date de début': '2024-04-15',
		'Date et heure du rendez-vous': Date.UTC(2024, 2, 20, 13, 30, 0),
		'J’accepte les conditions générales': true,
		'Avez-vous déjà déposé une demande ?': true,
		'Nombre de bénéficiaires précédents': '120',
		'Population concernée': INTEGER_BEYOND_2_53,
		'Montant en euros': 12500.5,
		'Type de structure': 'Association',
		'Publics visés': ['Enfants', 'Seniors'],
		'Secteur et activité': { primary: 'Social', secondary: 'Aide alimentaire' },
		'Justificatif de domicile': [
			{
				key: 's10001-justificatif-0-2048',
				filename: 'justificatif-domicile.pdf',
				contentType: 'application/pdf',
				byteSize: 2048,
				createdAt: Date.UTC(2024, 1, 4, 18, 0, 0),
			},
			{
				key: 's10001-justificatif-1-5120',
				filename: 'quittance-loyer.pdf',
				contentType: 'application/pdf',
				byteSize: 5120,
				createdAt: Date.UTC(2024, 1, 4, 18, 5, 0),
			},
		],
		'Membres du bureau': [
			{
				rowId: '10001b0',
				values: {
					'Nom et prénom': 'Camille Martin',
					Fonction: 'Président',
					'Date d’entrée': '2021-09-01',
				},
			},
			{
				rowId: '10001b1',
				values: {
					'Nom et prénom': 'Hugo Bernard',
					Fonction: 'Trésorier',
					'Date d’entrée': '2022-01-15',
				},
			},
		],
		'Emprise du projet': [
			{
				id: '100011',
				source: 'selection_utilisateur',
				description: 'Zone du jardin',
				geometry: {
					type: 'Polygon',
					coordinates: [
						[
							[4.86, 45.757],
							[4.8606, 45.757],
							[4.8606, 45.7574],
							[4.86, 45.7574],
							[4.86, 45.757],
						],
					],
				},
			},
			{
				id: '100012',
				source: 'cadastre',
				description: null,
				geometry: {
					type: 'Polygon',
					coordinates: [
						[
							[4.86, 45.757],
							[4.8603, 45.757],
							[4.8603, 45.7572],
							[4.86, 45.7572],
							[4.86, 45.757],
						],
					],
				},
				commune: '69123',
				prefixe: '000',
				section: 'AB',
				numero: '42',
				surface: '412',
			},
		],
		'Adresse du projet': {
			label: '12 rue des Tilleuls 69003 Lyon',
			streetNumber: '12',
			streetName: 'rue des Tilleuls',
			postalCode: '69003',
			cityName: 'Lyon',
			cityCode: '69123',
			dep: '69',
			lon: 4.8601,
			lat: 45.7578,
		},
		Commune: '69123',
		Département: '69',
		Région: '84',
		'Pays de naissance': 'FR',
		Intercommunalité: '200046977',
		'SIRET de l’entreprise': '41857984504807',
		'Numéro RNA': 'W691112223',
		'Numéro RNF': '069-FDD-00042-01',
		Civilité: 'Mme',
		'Dossier lié': 'LINKED',
		'Engagement juridique': { montantEngage: '15000', montantPaye: '5000' },
		'Titre d’identité': { grantType: 'piece_justificative' },
		'Commentaire#1': 'Premier commentaire',
		'Commentaire#2': 'Second commentaire,\nsur deux lignes',
		'Référence interne du demandeur': 'REF-2024-001',
	},
	annotations: {
		'Note interne': 'Dossier prioritaire',
		'Avis détaillé': 'Projet cohérent avec la politique de la ville.',
		'E-mail du référent': 'referent@demarches-exemple.gouv.fr',
		'Pièces vérifiées': true,
		'Visite sur place nécessaire': false,
		'Date de la commission': '2024-06-18',
		'Rendez-vous': Date.UTC(2024, 5, 20, 8, 30, 0),
		Score: '17',
		'Montant accordé': 10000.25,
		Priorité: 'Haute',
		'Services consultés': ['Urbanisme', 'Finances'],
		'Dossier précédent': 'LINKED',
		Contrôles: [
			{ rowId: '10001c0', values: { 'Date du contrôle': '2024-07-01', Résultat: 'Conforme' } },
		],
		'Téléphone du référent': '04 72 10 30 30',
		'IBAN du bénéficiaire': 'FR76 3000 6000 0112 3456 7890 189',
		'Civilité du référent': 'M',
		'Pays du partenaire': 'BE',
		'Région du projet': '84',
		'Département du projet': '69',
		// No file: the showcase's files are the champs' and the messages' (download tests count them).
		'Rapport de visite': [],
		'Commune du site': '69123',
	},
	messages: [
		{
			id: 100019,
			at: Date.UTC(2024, 1, 6, 8, 0, 0),
			from: 'usager',
			body: 'Bonjour, je joins le justificatif demandé.',
			attachments: [],
		},
		{
			id: 100018,
			at: Date.UTC(2024, 1, 13, 9, 15, 0),
			from: 'instructeur',
			body: 'Merci de joindre le plan de financement signé.',
			correction: 'incomplete',
			attachments: [
				{
					key: 'm10001-plan-3072',
					filename: 'modele-plan-de-financement.pdf',
					contentType: 'application/pdf',
					byteSize: 3072,
					createdAt: Date.UTC(2024, 1, 13, 9, 15, 0),
				},
			],
		},
	],
	avis: {
		id: 100019,
		question: 'Le projet respecte-t-il le règlement de voirie ?',
		reponse: 'Oui, sous réserve d’un balisage du chantier.',
		dateQuestion: Date.UTC(2024, 1, 14, 10, 0, 0),
		dateReponse: Date.UTC(2024, 1, 16, 15, 0, 0),
		expert: 'expert.voirie@exemple.gouv.fr',
		attachments: [
			{
				key: 'a10001-voirie-4096',
				filename: 'avis-voirie.pdf',
				contentType: 'application/pdf',
				byteSize: 4096,
				createdAt: Date.UTC(2024, 1, 16, 15, 0, 0),
			},
		],
	},
	modifiedAt: Date.UTC(2024, 1, 16, 15, 0, 0),
};

/** Raw values keyed by stable id from a table keyed by label ("label#n" for the n-th repeated label). */
function valuesByStableId(descs, table, linked) {
	const seen = {};
	const values = {};
	for (const desc of descs) {
		seen[desc.label] = (seen[desc.label] || 0) + 1;
		const key =
			`${desc.label}#${seen[desc.label]}` in table
				? `${desc.label}#${seen[desc.label]}`
				: desc.label;
		if (!(key in table)) throw new Error(`Showcase value missing for "${desc.label}"`);
		let value = table[key];
		if (value === 'LINKED') value = linked;
		if (desc.type === 'repetition')
			value = value.map((row) => ({
				rowId: row.rowId,
				values: valuesByStableId(desc.children, row.values, linked),
			}));
		values[desc.stableId] = value;
	}
	return values;
}

function makeEveryChampDossier(store) {
	const record = store.getDossier(FIRST_DOSSIER_NUMBER);
	if (!record) return;
	const demarche = store.demarches.get(EVERY_CHAMP);
	const revision = store.revisions.get(demarche.activeRevisionId);
	const linked = store.listFor(EVERY_CHAMP, 'depot').find((r) => r !== record && !r.hidden);
	const instructeurEmail = (login) => `${login}@demarches-exemple.gouv.fr`;
	const instructeurId = (login) => INSTRUCTEURS.indexOf(login) + 1;
	const claimant = instructeurEmail('claire.martin');
	record.revisionId = revision.id;
	record.groupe = demarche.groupeNumbers.find(
		(n) => store.groupes.get(n).label === SHOWCASE.groupe,
	);
	Object.assign(record, {
		hiddenByUserAt: null,
		hiddenByAdministrationAt: null,
		hiddenByExpiredAt: null,
		hiddenByReason: null,
	});
	record.archived = false;
	// The record is already in the sorted lists: move it, do not just edit its keys.
	store.reposition(record, 'depot', () => {
		record.depotAt = SHOWCASE.depotAt;
	});
	store.reposition(record, 'modified', () => {
		record.modifiedAt = SHOWCASE.modifiedAt;
	});
	Object.assign(record, {
		state: 'en_instruction',
		constructionAt: SHOWCASE.depotAt,
		instructionAt: SHOWCASE.instructionAt,
		traitementAt: null,
		motivation: null,
		champsModifiedAt: SHOWCASE.depotAt,
		annotationsModifiedAt: SHOWCASE.instructionAt + DAY,
		usagerEmail: SHOWCASE.usager.email,
		labelIds: demarche.labelIds.filter((id) => SHOWCASE.labels.includes(store.labels.get(id).name)),
		followerIds: SHOWCASE.followers.map(instructeurId),
		seededMessages: 0,
		seededAvis: false,
		traitements: [
			{
				event: 'depose',
				state: 'en_construction',
				at: SHOWCASE.depotAt,
				motivation: null,
				email: null,
			},
			{
				event: 'passe_en_instruction',
				state: 'en_instruction',
				at: SHOWCASE.instructionAt,
				motivation: null,
				email: claimant,
			},
		],
	});
	const linkedNumber = linked ? linked.number : null;
	record.ovr = {
		champs: valuesByStableId(revision.champs, SHOWCASE.champs, linkedNumber),
		annotations: valuesByStableId(revision.annotations, SHOWCASE.annotations, linkedNumber),
		demandeur: {
			__typename: 'PersonnePhysique',
			id: globalId('Individual', record.number),
			...SHOWCASE.demandeur,
		},
		messages: SHOWCASE.messages.map((m) => ({
			id: globalId('Commentaire', m.id),
			body: m.body,
			email: m.from === 'usager' ? SHOWCASE.usager.email : claimant,
			createdAt: m.at,
			attachments: m.attachments,
			correction: m.correction ? { reason: m.correction, dateResolution: null } : null,
			discardedAt: null,
		})),
		avis: [
			{
				id: globalId('Avis', SHOWCASE.avis.id),
				question: SHOWCASE.avis.question,
				questionLabel: null,
				questionAnswer: null,
				reponse: SHOWCASE.avis.reponse,
				dateQuestion: SHOWCASE.avis.dateQuestion,
				dateReponse: SHOWCASE.avis.dateReponse,
				claimant: { id: globalId('Instructeur', instructeurId('claire.martin')), email: claimant },
				expert: { id: globalId('Expert', 1), email: SHOWCASE.avis.expert },
				attachments: SHOWCASE.avis.attachments,
			},
		],
	};
	record.version += 1;
	store.showcaseLinkedDossier = linkedNumber;
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
		everyChampLinkedDossier: store.showcaseLinkedDossier,
		// Read with the scoped token: the champ's linked dossier is in a démarche outside its scope.
		hiddenLink: store.hiddenLinkDossier
			? {
					dossier: store.hiddenLinkDossier,
					demarche: HIDDEN_LINK.demarche,
					champ: HIDDEN_LINK.champ,
					linkedDossier: HIDDEN_LINK.linkedDossier,
					token: 'scoped',
				}
			: null,
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
	addDemarche,
	factsFor,
	tokenTable,
	tokenExpiry,
	TOKEN_MAX_LIFETIME_DAYS,
	TOKENS,
	SEED_START,
	SEED_END,
	FIRST_DOSSIER_NUMBER,
	INTEGER_BEYOND_2_53,
};
