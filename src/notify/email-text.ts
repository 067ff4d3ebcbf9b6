// What Herald's emails say. Mails to a client's contacts are in the client's language (the
// primary subtag of clients.language; English when Herald has no translation); mails to admins
// are in English. email-html.ts turns the same content into the HTML part.
import { EVENT_CATALOG, type EventRecord, type EventType } from '../domain/events.js';

/** One mail's words, before they become a text part and an HTML part. */
export interface MailContent {
  readonly lang: string;
  readonly subject: string;
  readonly heading: string;
  readonly paragraphs: readonly string[];
  /** A digest's lines (title, detail, link). */
  readonly items?: ReadonlyArray<{ readonly title: string; readonly text?: string; readonly url?: string }>;
  readonly action?: { readonly label: string; readonly url: string };
  /** Charts shown in the HTML part as inline images (cid:), rendered to PNG by the sender. */
  readonly charts?: ReadonlyArray<{ readonly cid: string; readonly title: string; readonly svg: string }>;
  readonly footer: readonly string[];
  readonly unsubscribe: { readonly label: string; readonly url: string };
}

interface ClientWords {
  /** Who "your agency" is while the agency has not set its name (Settings). */
  yourAgency: string;
  approvalsSubject(n: number): string;
  approvalsIntro(agency: string, client: string, n: number): string;
  firstAt(when: string): string;
  review: string;
  linkNote: string;
  reminderSubject(n: number): string;
  reminderIntro(n: number, when: string): string;
  reauthSubject(platform: string, account: string): string;
  reauthIntro(agency: string, platform: string, account: string): string;
  reconnect: string;
  footer(client: string, agency: string): string;
  unsubscribe: string;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many.replace('#', String(n)));

const WORDS: Record<string, ClientWords> = {
  en: {
    yourAgency: 'Your agency',
    approvalsSubject: (n) => plural(n, '1 post is waiting for your approval', '# posts are waiting for your approval'),
    approvalsIntro: (agency, client, n) =>
      `${agency} has prepared ${plural(n, 'a post', '# posts')} for ${client} that ` +
      `${plural(n, 'needs', 'need')} your approval before ${plural(n, 'it is', 'they are')} published.`,
    firstAt: (when) => `The first is scheduled for ${when}.`,
    review: 'Review the posts',
    linkNote: 'This button signs you in to your portal once; it works for 7 days.',
    reminderSubject: (n) =>
      plural(n, 'Reminder: 1 post still needs your approval', 'Reminder: # posts still need your approval'),
    reminderIntro: (n, when) =>
      `${plural(n, 'A post is', '# posts are')} still waiting for your approval. The first is scheduled for ${when}; ` +
      'a post that is not approved by its time is not published.',
    reauthSubject: (platform, account) => `Your ${platform} account ${account} needs reconnecting`,
    reauthIntro: (agency, platform, account) =>
      `${platform} no longer accepts the connection to ${account}, so ${agency} cannot publish there. ` +
      'Open your portal and press Reconnect next to the account; it takes a minute.',
    reconnect: 'Reconnect the account',
    footer: (client, agency) => `You receive this as a contact of ${client} at ${agency}.`,
    unsubscribe: 'Stop these emails',
  },
  de: {
    yourAgency: 'Ihre Agentur',
    approvalsSubject: (n) => plural(n, '1 Beitrag wartet auf Ihre Freigabe', '# Beiträge warten auf Ihre Freigabe'),
    approvalsIntro: (agency, client, n) =>
      `${agency} hat ${plural(n, 'einen Beitrag', '# Beiträge')} für ${client} vorbereitet, ` +
      `${plural(n, 'der', 'die')} vor der Veröffentlichung Ihre Freigabe ${plural(n, 'braucht', 'brauchen')}.`,
    firstAt: (when) => `Der erste ist für ${when} geplant.`,
    review: 'Beiträge prüfen',
    linkNote: 'Diese Schaltfläche meldet Sie einmal in Ihrem Portal an; sie gilt 7 Tage.',
    reminderSubject: (n) =>
      plural(
        n,
        'Erinnerung: 1 Beitrag braucht noch Ihre Freigabe',
        'Erinnerung: # Beiträge brauchen noch Ihre Freigabe',
      ),
    reminderIntro: (n, when) =>
      `${plural(n, 'Ein Beitrag wartet', '# Beiträge warten')} noch auf Ihre Freigabe. Der erste ist für ${when} ` +
      'geplant; ein Beitrag, der bis dahin nicht freigegeben ist, wird nicht veröffentlicht.',
    reauthSubject: (platform, account) => `Ihr ${platform}-Konto ${account} muss neu verbunden werden`,
    reauthIntro: (agency, platform, account) =>
      `${platform} akzeptiert die Verbindung zu ${account} nicht mehr, ` +
      `daher kann ${agency} dort nichts veröffentlichen. ` +
      'Öffnen Sie Ihr Portal und klicken Sie neben dem Konto auf „Neu verbinden“; es dauert eine Minute.',
    reconnect: 'Konto neu verbinden',
    footer: (client, agency) => `Sie erhalten diese E-Mail als Kontakt von ${client} bei ${agency}.`,
    unsubscribe: 'Diese E-Mails abbestellen',
  },
  fr: {
    yourAgency: 'Votre agence',
    approvalsSubject: (n) =>
      plural(n, '1 publication attend votre validation', '# publications attendent votre validation'),
    approvalsIntro: (agency, client, n) =>
      `${agency} a préparé ${plural(n, 'une publication', '# publications')} pour ${client} ` +
      `${plural(n, 'qui attend', 'qui attendent')} votre validation avant d’être ${plural(n, 'publiée', 'publiées')}.`,
    firstAt: (when) => `La première est prévue le ${when}.`,
    review: 'Voir les publications',
    linkNote: 'Ce bouton vous connecte une fois à votre portail ; il est valable 7 jours.',
    reminderSubject: (n) =>
      plural(n, 'Rappel : 1 publication attend votre validation', 'Rappel : # publications attendent votre validation'),
    reminderIntro: (n, when) =>
      `${plural(n, 'Une publication attend', '# publications attendent')} encore votre validation. La première est ` +
      `prévue le ${when} ; une publication non validée à temps n’est pas publiée.`,
    reauthSubject: (platform, account) => `Votre compte ${platform} ${account} doit être reconnecté`,
    reauthIntro: (agency, platform, account) =>
      `${platform} n’accepte plus la connexion à ${account} : ${agency} ne peut plus y publier. ` +
      'Ouvrez votre portail et cliquez sur « Reconnecter » à côté du compte ; cela prend une minute.',
    reconnect: 'Reconnecter le compte',
    footer: (client, agency) => `Vous recevez ce message en tant que contact de ${client} chez ${agency}.`,
    unsubscribe: 'Ne plus recevoir ces e-mails',
  },
  es: {
    yourAgency: 'Tu agencia',
    approvalsSubject: (n) => plural(n, '1 publicación espera tu aprobación', '# publicaciones esperan tu aprobación'),
    approvalsIntro: (agency, client, n) =>
      `${agency} ha preparado ${plural(n, 'una publicación', '# publicaciones')} para ${client} que ` +
      `${plural(n, 'necesita', 'necesitan')} tu aprobación antes de publicarse.`,
    firstAt: (when) => `La primera está programada para el ${when}.`,
    review: 'Revisar las publicaciones',
    linkNote: 'Este botón inicia sesión en tu portal una vez; es válido durante 7 días.',
    reminderSubject: (n) =>
      plural(
        n,
        'Recordatorio: 1 publicación espera tu aprobación',
        'Recordatorio: # publicaciones esperan tu aprobación',
      ),
    reminderIntro: (n, when) =>
      `${plural(n, 'Una publicación sigue', '# publicaciones siguen')} esperando tu aprobación. La primera está ` +
      `programada para el ${when}; una publicación sin aprobar a su hora no se publica.`,
    reauthSubject: (platform, account) => `Tu cuenta de ${platform} ${account} debe volver a conectarse`,
    reauthIntro: (agency, platform, account) =>
      `${platform} ya no acepta la conexión con ${account}, así que ${agency} no puede publicar allí. ` +
      'Abre tu portal y pulsa «Volver a conectar» junto a la cuenta; lleva un minuto.',
    reconnect: 'Volver a conectar la cuenta',
    footer: (client, agency) => `Recibes este correo como contacto de ${client} en ${agency}.`,
    unsubscribe: 'Dejar de recibir estos correos',
  },
  it: {
    yourAgency: 'La tua agenzia',
    approvalsSubject: (n) => plural(n, '1 post attende la tua approvazione', '# post attendono la tua approvazione'),
    approvalsIntro: (agency, client, n) =>
      `${agency} ha preparato ${plural(n, 'un post', '# post')} per ${client} che ` +
      `${plural(n, 'richiede', 'richiedono')} la tua approvazione prima della pubblicazione.`,
    firstAt: (when) => `Il primo è programmato per ${when}.`,
    review: 'Rivedi i post',
    linkNote: 'Questo pulsante ti fa accedere al tuo portale una volta; è valido 7 giorni.',
    reminderSubject: (n) =>
      plural(n, 'Promemoria: 1 post attende la tua approvazione', 'Promemoria: # post attendono la tua approvazione'),
    reminderIntro: (n, when) =>
      `${plural(n, 'Un post attende', '# post attendono')} ancora la tua approvazione. Il primo è programmato per ` +
      `${when}; un post non approvato in tempo non viene pubblicato.`,
    reauthSubject: (platform, account) => `Il tuo account ${platform} ${account} va ricollegato`,
    reauthIntro: (agency, platform, account) =>
      `${platform} non accetta più il collegamento a ${account}, quindi ${agency} non può pubblicarvi. ` +
      'Apri il tuo portale e premi «Ricollega» accanto all’account; basta un minuto.',
    reconnect: 'Ricollega l’account',
    footer: (client, agency) => `Ricevi questa email come contatto di ${client} presso ${agency}.`,
    unsubscribe: 'Non ricevere più queste email',
  },
  nl: {
    yourAgency: 'Je bureau',
    approvalsSubject: (n) => plural(n, '1 bericht wacht op je goedkeuring', '# berichten wachten op je goedkeuring'),
    approvalsIntro: (agency, client, n) =>
      `${agency} heeft ${plural(n, 'een bericht', '# berichten')} voor ${client} klaargezet ` +
      `${plural(n, 'dat', 'die')} je goedkeuring ${plural(n, 'nodig heeft', 'nodig hebben')} voordat ` +
      `${plural(n, 'het wordt', 'ze worden')} gepubliceerd.`,
    firstAt: (when) => `Het eerste staat gepland op ${when}.`,
    review: 'Berichten bekijken',
    linkNote: 'Met deze knop log je één keer in op je portaal; hij is 7 dagen geldig.',
    reminderSubject: (n) =>
      plural(
        n,
        'Herinnering: 1 bericht wacht nog op je goedkeuring',
        'Herinnering: # berichten wachten nog op je goedkeuring',
      ),
    reminderIntro: (n, when) =>
      `${plural(n, 'Een bericht wacht', '# berichten wachten')} nog op je goedkeuring. Het eerste staat gepland op ` +
      `${when}; een bericht dat dan niet is goedgekeurd, wordt niet gepubliceerd.`,
    reauthSubject: (platform, account) => `Je ${platform}-account ${account} moet opnieuw worden gekoppeld`,
    reauthIntro: (agency, platform, account) =>
      `${platform} accepteert de koppeling met ${account} niet meer, dus ${agency} kan daar niet publiceren. ` +
      'Open je portaal en klik naast het account op „Opnieuw koppelen”; het duurt een minuut.',
    reconnect: 'Account opnieuw koppelen',
    footer: (client, agency) => `Je ontvangt dit als contactpersoon van ${client} bij ${agency}.`,
    unsubscribe: 'Geen e-mails meer ontvangen',
  },
  pt: {
    yourAgency: 'A sua agência',
    approvalsSubject: (n) =>
      plural(n, '1 publicação aguarda a sua aprovação', '# publicações aguardam a sua aprovação'),
    approvalsIntro: (agency, client, n) =>
      `${agency} preparou ${plural(n, 'uma publicação', '# publicações')} para ${client} que ` +
      `${plural(n, 'precisa', 'precisam')} da sua aprovação antes de ` +
      `${plural(n, 'ser publicada', 'serem publicadas')}.`,
    firstAt: (when) => `A primeira está agendada para ${when}.`,
    review: 'Rever as publicações',
    linkNote: 'Este botão inicia sessão no seu portal uma vez; é válido durante 7 dias.',
    reminderSubject: (n) =>
      plural(n, 'Lembrete: 1 publicação aguarda a sua aprovação', 'Lembrete: # publicações aguardam a sua aprovação'),
    reminderIntro: (n, when) =>
      `${plural(n, 'Uma publicação ainda aguarda', '# publicações ainda aguardam')} a sua aprovação. A primeira está ` +
      `agendada para ${when}; uma publicação não aprovada a tempo não é publicada.`,
    reauthSubject: (platform, account) => `A sua conta ${platform} ${account} precisa de ser ligada de novo`,
    reauthIntro: (agency, platform, account) =>
      `${platform} já não aceita a ligação a ${account}, por isso ${agency} não pode publicar aí. ` +
      'Abra o seu portal e clique em «Ligar de novo» junto à conta; demora um minuto.',
    reconnect: 'Ligar a conta de novo',
    footer: (client, agency) => `Recebe este email como contacto de ${client} na ${agency}.`,
    unsubscribe: 'Deixar de receber estes emails',
  },
};

/** `pt-BR` → `pt`; a language Herald has no words for → `en`. */
export function mailLanguage(tag: string): string {
  const primary = tag.trim().toLowerCase().split('-')[0] ?? 'en';
  return Object.hasOwn(WORDS, primary) ? primary : 'en';
}

/** The words "your agency" in the client's language (the agency has not named itself yet). */
export function unnamedAgency(tag: string): string {
  return WORDS[mailLanguage(tag)]!.yourAgency;
}

/** A wall-clock time in the client's zone, in the client's language, with the zone named. */
function when(ms: number, lang: string, timeZone: string): string {
  const text = new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short', timeZone }).format(ms);
  return `${text} (${timeZone})`;
}

export interface ClientMail {
  readonly language: string;
  readonly agency: string;
  readonly clientName: string;
  readonly timezone: string;
  readonly link: string;
  readonly unsubscribeUrl: string;
}

/** The footer and unsubscribe link of a mail to a client's contact, in the client's language. */
export function clientMailFrame(mail: ClientMail) {
  return clientFrame(mail, WORDS[mailLanguage(mail.language)]!);
}

function clientFrame(mail: ClientMail, words: ClientWords) {
  return {
    footer: [mail.agency ? words.footer(mail.clientName, mail.agency) : ''],
    unsubscribe: { label: words.unsubscribe, url: mail.unsubscribeUrl },
  };
}

/** "N posts are waiting for your approval" (a batch), or its reminder before the first is due. */
export function approvalMail(
  mail: ClientMail,
  posts: { count: number; firstAt: number | null },
  reminder: boolean,
): MailContent {
  const lang = mailLanguage(mail.language);
  const words = WORDS[lang]!;
  const first = posts.firstAt === null ? null : when(posts.firstAt, lang, mail.timezone);
  const subject = reminder ? words.reminderSubject(posts.count) : words.approvalsSubject(posts.count);
  const paragraphs = reminder
    ? [words.reminderIntro(posts.count, first ?? '—')]
    : [words.approvalsIntro(mail.agency, mail.clientName, posts.count), ...(first ? [words.firstAt(first)] : [])];
  return {
    lang,
    subject,
    heading: subject,
    paragraphs: [...paragraphs, words.linkNote],
    action: { label: words.review, url: mail.link },
    ...clientFrame(mail, words),
  };
}

/** "Your account needs reconnecting", with the portal's reconnect page behind the button. */
export function reauthMail(mail: ClientMail, account: { platform: string; name: string }): MailContent {
  const lang = mailLanguage(mail.language);
  const words = WORDS[lang]!;
  const subject = words.reauthSubject(account.platform, account.name);
  return {
    lang,
    subject,
    heading: subject,
    paragraphs: [words.reauthIntro(mail.agency, account.platform, account.name), words.linkNote],
    action: { label: words.reconnect, url: mail.link },
    ...clientFrame(mail, words),
  };
}

interface AdminMail {
  readonly agency: string;
  readonly timezone: string;
  readonly settingsUrl: string;
  readonly unsubscribeUrl: string;
  /** Client names by id, for the lines of events about a client. */
  readonly clientNames: ReadonlyMap<string, string>;
  readonly absolute: (url: string) => string;
}

function adminFooter(mail: AdminMail, what: string) {
  return {
    footer: [`You receive ${what} as an admin of ${mail.agency}. Choose what you get at ${mail.settingsUrl}.`],
    unsubscribe: { label: 'Unsubscribe', url: mail.unsubscribeUrl },
  };
}

function clientLine(mail: AdminMail, event: EventRecord): string | null {
  const name = event.clientId ? mail.clientNames.get(event.clientId) : undefined;
  return name ? `Client: ${name}` : null;
}

/** One event, at once. */
export function immediateMail(mail: AdminMail, event: EventRecord): MailContent {
  const label = EVENT_CATALOG[event.type].label;
  const client = clientLine(mail, event);
  return {
    lang: 'en',
    subject: `${event.data.title}`,
    heading: event.data.title,
    paragraphs: [
      ...(event.data.text ? [event.data.text] : []),
      ...(client ? [client] : []),
      `${label}, ${when(Date.parse(event.createdAt), 'en-GB', mail.timezone)}.`,
    ],
    ...(event.data.url ? { action: { label: 'Open in Herald', url: mail.absolute(event.data.url) } } : {}),
    ...adminFooter(mail, `“${label}” mails`),
  };
}

/** The daily digest: what happened since the last one, grouped by type. */
/** A digest lists this many events; the rest are counted (the events page has them all). */
const DIGEST_ITEMS = 100;

export function digestMail(mail: AdminMail, events: readonly EventRecord[]): MailContent {
  const byType = new Map<EventType, EventRecord[]>();
  for (const event of events) byType.set(event.type, [...(byType.get(event.type) ?? []), event]);
  const summary = [...byType].map(([type, list]) => `${EVENT_CATALOG[type].label}: ${list.length}`).join(' · ');
  return {
    lang: 'en',
    subject: `Herald daily digest: ${events.length} ${events.length === 1 ? 'event' : 'events'}`,
    heading: 'Your daily digest',
    paragraphs: [
      summary,
      ...(events.length > DIGEST_ITEMS
        ? [`The first ${DIGEST_ITEMS} are listed; Herald's events page has the rest.`]
        : []),
    ],
    items: events.slice(0, DIGEST_ITEMS).map((event) => {
      const client = clientLine(mail, event);
      const text = [event.data.text, client].filter(Boolean).join(' — ');
      return {
        title: `${event.data.title}`,
        ...(text ? { text } : {}),
        ...(event.data.url ? { url: mail.absolute(event.data.url) } : {}),
      };
    }),
    action: { label: 'Open Herald', url: mail.absolute('/') },
    ...adminFooter(mail, 'this digest'),
  };
}

/** "Send a test" on the email settings page. */
export function testMail(mail: AdminMail): MailContent {
  return {
    lang: 'en',
    subject: 'Test email from Herald',
    heading: 'Email works',
    paragraphs: ['If you can read this, Herald can send you email. Failures and broken accounts will reach you here.'],
    action: { label: 'Your email settings', url: mail.settingsUrl },
    ...adminFooter(mail, 'this test'),
  };
}

/** An invitation to join the team, to the invited address alone. */
export function memberInviteMail(invite: {
  readonly agency: string;
  readonly inviter: string | null;
  /** "an Editor for Acme Bakery", "an Admin". */
  readonly roleText: string;
  readonly email: string;
  readonly link: string;
  readonly expiresAt: number;
  readonly unsubscribeUrl: string;
}): MailContent {
  const who = invite.inviter ? `${invite.inviter} invited you` : 'You are invited';
  return {
    lang: 'en',
    subject: `Join ${invite.agency} on Herald`,
    heading: `Join ${invite.agency} on Herald`,
    paragraphs: [
      `${who} to join the team of ${invite.agency} on Herald as ${invite.roleText}.`,
      `The link works once, until ${when(invite.expiresAt, 'en-GB', 'UTC')}. ` +
        'If you did not expect this invitation, ignore this mail.',
    ],
    action: { label: 'Join the team', url: invite.link },
    footer: [`Sent to ${invite.email} because of this invitation; no other mail follows unless you join.`],
    unsubscribe: { label: 'No more invitations', url: invite.unsubscribeUrl },
  };
}

/** The plain-text part. */
export function mailText(content: MailContent): string {
  const lines = [content.heading, '', ...content.paragraphs.flatMap((p) => [p, ''])];
  for (const item of content.items ?? []) {
    lines.push(`- ${item.title}`);
    if (item.text) lines.push(`  ${item.text}`);
    if (item.url) lines.push(`  ${item.url}`);
  }
  if (content.items?.length) lines.push('');
  if (content.action) lines.push(`${content.action.label}: ${content.action.url}`, '');
  lines.push('--', ...content.footer.filter(Boolean), `${content.unsubscribe.label}: ${content.unsubscribe.url}`);
  return `${lines.join('\n')}\n`;
}
