import { formatDateIt } from '../../domain/shared/dates.js';
import type { UserActor } from '../../services/context.js';
import { escapeHtml } from '../html.js';

/**
 * The portal's page shell in Bootstrap Italia markup (header slim + centre + navigation, footer with the
 * accessibility statement and the page's last update). Server-rendered, no script: the navigation is
 * always expanded and wraps on narrow screens instead of collapsing behind a JavaScript toggle.
 */

/** When this portal's static pages last changed (footer of those pages). */
export const STATIC_PAGES_UPDATED = '2026-11-26';

export const roleLabels: Record<UserActor['role'], string> = {
  rup: 'Responsabile unico del progetto (RUP)',
  economic_operator: 'Operatore economico',
  regional_staff: 'Sezione regionale',
  authority_staff: "Personale dell'Autorità",
  admin: 'Amministratore',
};

export interface PageOptions {
  title: string;
  /** The main content (already HTML). */
  body: string;
  actor?: UserActor | undefined;
  /** CSRF token of the session, for the sign-out form. */
  csrf?: string | undefined;
  /** When the page's content last changed; today for pages built from live data. */
  updatedAt?: Date | string | undefined;
  /** The navigation entry to mark as current. */
  current?: string | undefined;
  breadcrumbs?: { label: string; href?: string }[];
}

/** Marks up text: `html\`<p>${x}</p>\`` escapes every interpolated value that is not already Html. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}

export const raw = (value: string) => new Html(value);

/** A table in Bootstrap Italia markup: scrolls sideways on its own on narrow screens, captioned for screen readers. */
export function dataTable(caption: string, headers: string[], rows: Html[]): Html {
  return html`<div class="table-responsive">
    <table class="table">
      <caption class="visually-hidden">
        ${caption}
      </caption>
      <thead>
        <tr>
          ${headers.map((h) => html`<th scope="col">${h}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </div>`;
}

function navigation(actor: UserActor | undefined, current: string | undefined): Html {
  const items: { href: string; label: string }[] = [
    { href: '/', label: 'Home' },
    { href: '/cig', label: 'Verifica CIG' },
    { href: '/stato', label: 'Stato dei servizi' },
    { href: '/comunicati', label: 'Comunicati' },
  ];
  if (actor) items.push({ href: '/area-personale', label: 'Area personale' });
  return html`<nav class="navbar navbar-expand" aria-label="Navigazione principale">
    <div class="navbar-collapsable d-block">
      <ul class="navbar-nav flex-wrap">
        ${items.map(
          (i) =>
            html`<li class="nav-item">
              <a
                class="nav-link${i.href === current ? ' active' : ''}"
                href="${i.href}"
                ${i.href === current ? raw(' aria-current="page"') : ''}
                ><span>${i.label}</span></a
              >
            </li>`,
        )}
      </ul>
    </div>
  </nav>`;
}

function account(actor: UserActor | undefined, csrf: string | undefined): Html {
  if (!actor) {
    return html`<a class="btn btn-primary btn-sm" href="/accedi">Accedi</a>`;
  }
  return html`<div class="d-flex align-items-center flex-wrap gap-2">
    <span class="text-white small">${actor.name} — ${roleLabels[actor.role]}</span>
    <form method="post" action="/esci" class="d-inline">
      <input type="hidden" name="csrf" value="${csrf ?? ''}" />
      <button type="submit" class="btn btn-outline-light btn-sm">Esci</button>
    </form>
  </div>`;
}

export function page(options: PageOptions): string {
  const updated = options.updatedAt ?? new Date();
  const breadcrumbs = options.breadcrumbs?.length
    ? html`<nav class="breadcrumb-container" aria-label="Percorso di navigazione">
        <ol class="breadcrumb">
          ${options.breadcrumbs.map((b, i, all) =>
            i === all.length - 1
              ? html`<li class="breadcrumb-item active" aria-current="page">${b.label}</li>`
              : html`<li class="breadcrumb-item">
                  <a href="${b.href ?? '/'}">${b.label}</a><span class="separator">/</span>
                </li>`,
          )}
        </ol>
      </nav>`
    : '';
  return `<!doctype html>\n${
    html`<html lang="it">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} — Gara</title>
        <link rel="stylesheet" href="/assets/bootstrap-italia/css/bootstrap-italia.min.css" />
        <link rel="stylesheet" href="/assets/portal.css" />
      </head>
      <body>
        <a class="visually-hidden-focusable skiplink" href="#contenuto">Vai al contenuto</a>
        <header class="it-header-wrapper">
          <div class="it-header-slim-wrapper">
            <div class="container">
              <div
                class="it-header-slim-wrapper-content d-flex flex-wrap justify-content-between align-items-center gap-2"
              >
                <a class="navbar-brand" href="https://www.anticorruzione.it"
                  >Autorità Nazionale Anticorruzione</a
                >
                <div class="it-header-slim-right-zone">${account(options.actor, options.csrf)}</div>
              </div>
            </div>
          </div>
          <div class="it-nav-wrapper">
            <div class="it-header-center-wrapper">
              <div class="container">
                <div class="it-header-center-content-wrapper">
                  <div class="it-brand-wrapper">
                    <a href="/">
                      <div class="it-brand-text">
                        <div class="it-brand-title">Gara</div>
                        <div class="it-brand-tagline">
                          Codici di gara, contributi e continuità dei servizi
                        </div>
                      </div>
                    </a>
                  </div>
                </div>
              </div>
            </div>
            <div class="it-header-navbar-wrapper">
              <div class="container">${navigation(options.actor, options.current)}</div>
            </div>
          </div>
        </header>
        <main id="contenuto" class="container my-4">${breadcrumbs} ${raw(options.body)}</main>
        <footer class="it-footer">
          <div class="it-footer-main">
            <div class="container py-4">
              <div class="it-brand-wrapper">
                <a href="/"
                  ><div class="it-brand-text"><div class="it-brand-title">Gara</div></div></a
                >
              </div>
              <p class="mb-0">
                Servizio per le stazioni appaltanti, gli operatori economici e le sezioni regionali.
              </p>
            </div>
          </div>
          <div class="it-footer-small-prints clearfix">
            <div class="container">
              <ul class="it-footer-small-prints-list list-inline mb-0 d-flex flex-column flex-md-row">
                <li class="list-inline-item">
                  <a href="/dichiarazione-di-accessibilita">Dichiarazione di accessibilità</a>
                </li>
                <li class="list-inline-item"><a href="/docs">API per le piattaforme</a></li>
                <li class="list-inline-item">
                  Ultimo aggiornamento:
                  <time datetime="${typeof updated === 'string' ? updated : updated.toISOString()}"
                    >${formatDateIt(updated)}</time
                  >
                </li>
              </ul>
            </div>
          </div>
        </footer>
      </body>
    </html>`.value
  }\n`;
}

/** A simple page with a heading and paragraphs (errors, notices). */
export function messagePage(
  title: string,
  paragraphs: Html[],
  options: Omit<PageOptions, 'title' | 'body'> = {},
): string {
  return page({
    ...options,
    title,
    body: html`<h1>${title}</h1>
      ${paragraphs.map((p) => html`<p>${p}</p>`)}`.value,
  });
}

/** Small additions to Bootstrap Italia (kept tiny: the budget is for the framework's stylesheet). */
export const PORTAL_CSS = `
.skiplink{position:absolute;left:1rem;top:1rem;z-index:1100;background:#fff;padding:.5rem 1rem}
.it-header-slim-wrapper .navbar-brand{color:#fff;font-weight:600;font-size:.875rem}
.it-brand-title{font-size:1.75rem;font-weight:700;color:#fff}
.it-brand-tagline{color:#fff}
.it-header-center-wrapper .it-brand-wrapper a{text-decoration:none}
.it-header-navbar-wrapper .navbar .navbar-nav .nav-link{color:#fff;padding:.75rem 1rem}
.it-header-navbar-wrapper .navbar .navbar-nav .nav-link.active{border-bottom:3px solid #fff}
.form-label-static{position:static!important;transform:none!important;font-weight:600;display:block;margin-bottom:.25rem}
.table-responsive{overflow-x:auto}
.msg{white-space:pre-line}
.cig-code{font-family:"Roboto Mono",monospace;font-weight:700;letter-spacing:.05em}
.it-footer-main .it-brand-title{font-size:1.5rem}
.it-footer-main a{color:#fff}
.it-footer-small-prints-list li{color:#fff}
@media (max-width:991.98px){
.it-header-wrapper .it-nav-wrapper .it-header-navbar-wrapper{position:static;margin-top:0;background:#06c}
.it-header-navbar-wrapper .navbar .navbar-collapsable{position:static;z-index:auto;width:100%;background:none;display:block}
.it-header-navbar-wrapper .navbar .navbar-collapsable .navbar-nav{flex-direction:row;padding:0 0 .5rem;margin:0}
.it-header-navbar-wrapper .navbar .navbar-collapsable .navbar-nav li a.nav-link{color:#fff;padding:.5rem .75rem}
.it-header-navbar-wrapper .navbar .navbar-collapsable .navbar-nav li a.nav-link.active{border-left:0;border-bottom:3px solid #fff}
}
`;
