/* consultdesk website forms: <consultdesk-callback>, <consultdesk-booking>, <consultdesk-finder>.
 * Served by the consultdesk binary at /embed.js (src/website/). No dependencies, no build step:
 * the server writes the catalogue's texts in place of TEXTS below (locales/{en,fr}/widgets.ftl).
 * Every form posts JSON to the public API it was loaded from, with an Idempotency-Key per
 * submission, the honeypot, the consent wording version it showed, and the visitor's language.
 * Nothing here uses innerHTML: every text from the server lands in the page as text. */
(function () {
  'use strict';
  if (!window.customElements || customElements.get('consultdesk-callback')) return;

  var TEXTS = /*consultdesk:texts*/ {};
  var here = document.currentScript;
  // The API is where this script came from: a clinic's site loads it from the service.
  var API = (here && here.src ? new URL('.', here.src).href : location.origin + '/').replace(/\/$/, '');
  var CATEGORIES = ['appointment_reminders', 'exercise_plans', 'plans_of_care', 'service_updates'];
  var DAYS_AHEAD = 14;
  var instances = 0;

  var STYLE = ':host{display:block;box-sizing:border-box;max-width:var(--consultdesk-max-width,38rem);' +
    'font-family:var(--consultdesk-font,inherit);font-size:var(--consultdesk-font-size,1rem);line-height:1.5;' +
    'color:var(--consultdesk-text,#1b1f24);background:var(--consultdesk-background,#fff);' +
    'border:1px solid var(--consultdesk-border,#c9ced6);border-radius:var(--consultdesk-radius,.5rem);padding:1rem 1.25rem;margin:0 0 1.5rem}' +
    ':host([hidden]){display:none}*{box-sizing:border-box}' +
    'h2,h3{margin:.25rem 0 .75rem;line-height:1.25}h2{font-size:1.3em}h3{font-size:1.1em}p{margin:.25rem 0 .75rem}' +
    '.field{margin:0 0 1rem}label,legend{display:block;font-weight:600;margin:0 0 .25rem}' +
    '.note,.hint{display:block;font-weight:400;font-size:.9em;color:var(--consultdesk-muted,#4a5360)}' +
    'input[type=text],input[type=tel],input[type=email],select,textarea{display:block;width:100%;font:inherit;color:inherit;' +
    'padding:.55rem .7rem;min-height:44px;border:1px solid var(--consultdesk-input-border,#6b7480);border-radius:var(--consultdesk-radius,.5rem);background:#fff}' +
    'textarea{min-height:5rem}fieldset{border:1px solid var(--consultdesk-border,#c9ced6);border-radius:var(--consultdesk-radius,.5rem);margin:0 0 1rem;padding:.5rem .9rem .75rem}' +
    'legend{padding:0 .25rem}.choice{display:flex;gap:.6rem;align-items:flex-start;padding:.35rem 0;font-weight:400}' +
    '.choice input{width:1.3rem;height:1.3rem;margin:.1rem 0 0;flex:none}.slots{display:flex;flex-wrap:wrap;column-gap:1.25rem}' +
    'button{font:inherit;font-weight:600;min-height:44px;padding:.6rem 1.2rem;margin:.25rem .5rem .25rem 0;cursor:pointer;' +
    'border:2px solid var(--consultdesk-accent,#0b5394);border-radius:var(--consultdesk-radius,.5rem);' +
    'background:var(--consultdesk-accent,#0b5394);color:var(--consultdesk-accent-text,#fff)}' +
    'button.secondary{background:transparent;color:var(--consultdesk-accent,#0b5394)}' +
    '[aria-busy=true] button[type=submit]{opacity:.7;cursor:progress}' +
    ':focus-visible{outline:3px solid var(--consultdesk-focus,#f2a900);outline-offset:2px}' +
    '[aria-invalid=true]{border-color:var(--consultdesk-error,#b3261e);border-width:2px}' +
    '.error{color:var(--consultdesk-error,#b3261e);font-weight:600;margin:.25rem 0 0}' +
    '.message:empty{display:none}.message{padding:.75rem 1rem;border-radius:var(--consultdesk-radius,.5rem);margin:0 0 1rem;font-weight:600}' +
    '.message.ok{background:var(--consultdesk-success-background,#e6f4ea)}.message.bad{background:var(--consultdesk-error-background,#fdecea)}' +
    '.trap{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}' +
    'ul.results{list-style:none;margin:0;padding:0}li.result{border-top:1px solid var(--consultdesk-border,#c9ced6);padding:.75rem 0}' +
    '.or{margin:-.5rem 0 .5rem;font-size:.9em}.inline{display:flex;flex-wrap:wrap;gap:.25rem}';
  var sheet = null;

  /** The visitor's language: the element's `locale`, else the nearest `lang`, else English. */
  function localeOf(element) {
    var asked = element.getAttribute('locale');
    if (!asked) {
      var withLang = element.closest('[lang]');
      asked = withLang ? withLang.getAttribute('lang') : document.documentElement.lang;
    }
    return /^fr\b/i.test(asked || '') ? 'fr' : 'en';
  }

  /** `tag` with `attributes` (properties for on* and a few DOM ones) and children. */
  function h(tag, attributes) {
    var node = document.createElement(tag);
    for (var key in attributes || {}) {
      var value = attributes[key];
      if (value === null || value === undefined || value === false) continue;
      if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
      else if (key === 'text') node.textContent = value;
      else if (key === 'checked' || key === 'value' || key === 'selected') node[key] = value;
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      [].concat(child).forEach(function (one) {
        if (one) node.append(one);
      });
    }
    return node;
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join('');
  }

  /** A date (YYYY-MM-DD) `days` after today in `zone`. */
  function dateIn(zone, days) {
    var parts = {};
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(new Date()).forEach(function (part) { parts[part.type] = part.value; });
    var day = new Date(Date.UTC(+parts.year, +parts.month - 1, +parts.day + days));
    return day.toISOString().slice(0, 10);
  }

  function Failure(kind, status, problem, retryAfter) {
    this.kind = kind; this.status = status; this.problem = problem || {}; this.retryAfter = retryAfter;
  }

  /** The base of the three elements: the shadow root, texts, fields, and sending a form once. */
  class Widget extends HTMLElement {
    connectedCallback() {
      if (this.started) return;
      this.started = true;
      this.uid = 'cd' + ++instances + '-';
      this.locale = localeOf(this);
      this.tag = this.locale === 'fr' ? 'fr-CA' : 'en-CA';
      var root = this.shadowRoot || this.attachShadow({ mode: 'open' });
      if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
        if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(STYLE); }
        root.adoptedStyleSheets = [sheet];
      } else {
        root.append(h('style', { text: STYLE }));
      }
      this.root = root;
      this.start();
    }

    /** The catalogue's text `id`, with `{name}` replaced by `values.name`. */
    t(id, values) {
      var text = (TEXTS[this.locale] || {})[id] || (TEXTS.en || {})[id] || id;
      return text.replace(/\{(\w+)\}/g, function (all, name) {
        return values && values[name] !== undefined ? String(values[name]) : all;
      });
    }

    show() {
      Array.prototype.slice.call(this.root.childNodes).forEach(function (n) {
        if (n.nodeName !== 'STYLE') n.remove();
      });
      for (var i = 0; i < arguments.length; i++) if (arguments[i]) this.root.append(arguments[i]);
    }

    heading(text) {
      var level = this.getAttribute('heading-level');
      level = /^[2-6]$/.test(level || '') ? level : '2';
      return h('h' + level, { part: 'heading', text: text, tabindex: '-1' });
    }

    /** A labelled control in its container; the container carries `data-field` for errors. */
    field(name, label, control, options) {
      options = options || {};
      var id = this.uid + name.replace(/\W/g, '-');
      var errorId = id + '-error';
      var hintId = options.hint ? id + '-hint' : null;
      control.id = id;
      control.name = name;
      control.setAttribute('part', 'input');
      control.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
      if (options.required) { control.required = true; control.setAttribute('aria-required', 'true'); }
      var words = [label];
      if (options.optional) words.push(' ', h('span', { class: 'note', text: this.t('widget-optional') }));
      return h('div', { class: 'field', 'data-field': name, 'data-label': label, part: 'field' },
        h('label', { for: id, part: 'label' }, words),
        options.hint ? h('span', { id: hintId, class: 'hint', text: options.hint }) : null,
        control,
        h('p', { id: errorId, class: 'error', part: 'error', hidden: true }));
    }

    input(type, attributes) {
      return h('input', Object.assign({ type: type }, attributes || {}));
    }

    /** The consent checkboxes in the server's words (never checked beforehand). */
    consents(wording) {
      var self = this;
      var legendId = this.uid + 'consents';
      return h('fieldset', { class: 'consents', part: 'consents', 'data-field': 'consents', 'aria-describedby': legendId + '-note' },
        h('legend', { text: wording.intro }),
        h('p', { id: legendId + '-note', class: 'note', text: this.t('widget-consents-note') }),
        CATEGORIES.map(function (category) {
          var id = self.uid + category;
          return h('div', { 'data-field': 'consents.' + category },
            h('label', { class: 'choice', for: id },
              h('input', { type: 'checkbox', id: id, name: 'consents.' + category, part: 'checkbox', 'aria-describedby': id + '-error' }),
              h('span', { text: (wording.categories || {})[category] || category })),
            h('p', { id: id + '-error', class: 'error', part: 'error', hidden: true }));
        }),
        h('p', { class: 'error', part: 'error', hidden: true, id: legendId + '-error' }));
    }

    /** The honeypot: people never see or reach it; bots that fill every field fill it. */
    honeypot() {
      var id = this.uid + 'website';
      return h('div', { class: 'trap', 'aria-hidden': 'true' },
        h('label', { for: id, text: this.t('widget-honeypot') }),
        h('input', { type: 'text', id: id, name: 'website', tabindex: '-1', autocomplete: 'off' }));
    }

    message() {
      return h('div', { class: 'message', part: 'message', role: 'alert', 'aria-live': 'assertive' });
    }

    say(box, text, good) {
      box.className = 'message ' + (good ? 'ok' : 'bad');
      box.setAttribute('role', good ? 'status' : 'alert');
      box.textContent = '';
      [].concat(text).forEach(function (part) { box.append(part); });
    }

    consentValues(form) {
      var values = {};
      CATEGORIES.forEach(function (category) {
        values[category] = !!form.elements['consents.' + category].checked;
      });
      return values;
    }

    value(form, name) {
      var control = form.elements[name];
      return control ? String(control.value || '').trim() : '';
    }

    /** GET or POST `path`; resolves to the JSON body, rejects with a Failure. */
    call(path, body, key) {
      var headers = { Accept: 'application/json', 'Accept-Language': this.locale };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (key) headers['Idempotency-Key'] = key;
      return fetch(API + path, {
        method: body === undefined ? 'GET' : 'POST', headers: headers, mode: 'cors', credentials: 'omit',
        body: body === undefined ? undefined : body
      }).then(function (response) {
        return response.text().then(function (text) {
          var json = null;
          try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
          if (response.ok) return json;
          var wait = parseInt(response.headers.get('Retry-After') || '', 10);
          throw new Failure('http', response.status, json, isNaN(wait) ? null : wait);
        });
      }, function () {
        throw new Failure('network', 0);
      });
    }

    /** Sends `form` once: a second submit while one is on its way does nothing; the same body
     * sent again (after a failure) reuses its Idempotency-Key, so a lost answer never books twice. */
    send(form, path, body, box) {
      if (this.busy) return Promise.resolve(null);
      var json = JSON.stringify(body);
      if (json !== this.lastBody) { this.lastBody = json; this.key = newKey(); }
      this.busy = true;
      form.setAttribute('aria-busy', 'true');
      this.clearErrors(form);
      this.say(box, this.t('widget-sending'), true);
      var self = this;
      return this.call(path, json, this.key).then(function (answer) {
        self.busy = false;
        form.removeAttribute('aria-busy');
        self.lastBody = null;
        return answer;
      }, function (failure) {
        self.busy = false;
        form.removeAttribute('aria-busy');
        throw failure;
      });
    }

    clearErrors(form) {
      form.querySelectorAll('[aria-invalid]').forEach(function (n) { n.removeAttribute('aria-invalid'); });
      form.querySelectorAll('.error').forEach(function (n) { n.textContent = ''; n.hidden = true; });
    }

    /** Says what failed: each field the problem names gets its message next to it. */
    explain(form, box, failure, fieldOf) {
      var self = this;
      if (failure.kind === 'network') return this.say(box, this.t('widget-offline'));
      if (failure.status === 429) {
        // The booking cap (requests waiting for the clinic) explains itself; the rate limit says when.
        if (/too_many_open_requests$/.test(failure.problem.type || '') && failure.problem.detail) {
          return this.say(box, failure.problem.detail);
        }
        var at = new Date(Date.now() + 1000 * (failure.retryAfter || 60));
        var today = at.toDateString() === new Date().toDateString();
        var time = new Intl.DateTimeFormat(this.tag, today ? { hour: 'numeric', minute: '2-digit' }
          : { weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit' }).format(at);
        return this.say(box, this.t('widget-rate-limited', { time: time }));
      }
      var errors = (failure.problem && failure.problem.errors) || [];
      if (failure.status === 422 && errors.length) {
        var first = null;
        var unplaced = [];
        errors.forEach(function (error) {
          var name = fieldOf ? fieldOf(error.field) : error.field;
          var place = form.querySelector('[data-field="' + CSS.escape(name) + '"]');
          if (!place) { unplaced.push(error.message); return; }
          var text = place.querySelector('.error');
          // The server's messages follow the field's name: "Your name" + "is required".
          var label = place.getAttribute('data-label');
          text.textContent = error.message ? (label ? label + ' ' + error.message : error.message) : self.t('widget-field-problem');
          text.hidden = false;
          place.querySelectorAll('input,select,textarea').forEach(function (control) {
            if (control.type !== 'radio' && control.type !== 'checkbox') control.setAttribute('aria-invalid', 'true');
          });
          first = first || place.querySelector('input:not([type=hidden]),select,textarea');
        });
        this.say(box, [this.t('widget-fix-fields')].concat(unplaced.length ? [' ' + unplaced.join(' ')] : []));
        if (first) first.focus();
        return;
      }
      var detail = failure.problem && failure.problem.detail;
      this.say(box, failure.status >= 500 || !detail ? this.t('widget-failed') : detail);
    }

    /** A message saying the form could not load, with a button to try again. */
    unavailable(failure) {
      var self = this;
      var box = this.message();
      this.show(box);
      this.say(box, [failure.kind === 'network' ? this.t('widget-offline') : this.t('widget-unavailable'), ' ',
        h('button', { type: 'button', class: 'secondary', part: 'button', text: this.t('widget-retry'), onclick: function () { self.start(); } })]);
    }

    wording(clinic) {
      var query = '?locale=' + this.locale + (clinic ? '&clinic_id=' + encodeURIComponent(clinic) : '');
      return this.call('/v1/consent-wording' + query);
    }

    /** Where the form was: the page's address without its query (which may hold anything). */
    sourceUrl() {
      return /^https?:$/.test(location.protocol) ? (location.origin + location.pathname).slice(0, 2000) : undefined;
    }

    focusLater(node) {
      if (node) setTimeout(function () { node.focus(); }, 0);
    }
  }

  /** "Fill out this form and get a call back." */
  class Callback extends Widget {
    start() {
      var self = this;
      this.show(h('p', { role: 'status', text: this.t('widget-loading') }));
      this.wording(this.getAttribute('clinic')).then(function (wording) { self.form(wording); }, function (f) { self.unavailable(f); });
    }

    form(wording) {
      var self = this;
      var box = this.message();
      var when = h('select', {}, [
        ['anytime', this.t('widget-callback-anytime')], ['morning', this.t('widget-callback-morning')],
        ['afternoon', this.t('widget-callback-afternoon')], ['evening', this.t('widget-callback-evening')]
      ].map(function (option) { return h('option', { value: option[0], text: option[1] }); }));
      var form = h('form', { part: 'form', novalidate: true, onsubmit: submit },
        this.heading(this.t('widget-callback-heading')),
        h('p', { text: this.t('widget-callback-intro') }),
        box,
        this.field('name', this.t('widget-field-name'), this.input('text', { autocomplete: 'name', maxlength: '200' }), { required: true }),
        this.field('phone', this.t('widget-field-phone'), this.input('tel', { autocomplete: 'tel' }), { required: true }),
        this.field('email', this.t('widget-field-email'), this.input('email', { autocomplete: 'email' }), { optional: true }),
        this.field('preferred_time', this.t('widget-callback-when'), when),
        this.field('concern', this.t('widget-field-concern'), h('textarea', { rows: '3', maxlength: '2000' }), { optional: true }),
        this.consents(wording),
        this.honeypot(),
        h('button', { type: 'submit', part: 'button submit', text: this.t('widget-callback-submit') }));
      this.show(form);

      function submit(event) {
        event.preventDefault();
        var email = self.value(form, 'email');
        var body = {
          name: self.value(form, 'name'), phone: self.value(form, 'phone'), email: email || undefined,
          preferred_time: self.value(form, 'preferred_time'), clinic_id: self.getAttribute('clinic') || undefined,
          concern: self.value(form, 'concern') || undefined, consents: self.consentValues(form),
          consent_wording_version: wording.version, locale: self.locale, source_url: self.sourceUrl(),
          website: form.elements.website.value
        };
        self.send(form, '/v1/callback-requests', body, box).then(function (answer) {
          if (!answer) return;
          var done = h('div', { class: 'message ok', part: 'message', role: 'status', tabindex: '-1',
            text: email ? self.t('widget-callback-sent-email', { email: email }) : self.t('widget-callback-sent') });
          self.show(self.heading(self.t('widget-callback-heading')), done);
          self.focusLater(done);
          self.dispatchEvent(new CustomEvent('consultdesk-sent', { bubbles: true, composed: true, detail: { id: answer.id } }));
        }, function (failure) { self.explain(form, box, failure); });
      }
    }
  }

  /** "Book your free consult": a practitioner's free slots in the clinic's time zone. */
  class Booking extends Widget {
    start() {
      var self = this;
      var practitioner = this.getAttribute('practitioner');
      var clinic = this.getAttribute('clinic');
      this.show(h('p', { role: 'status', text: this.t('widget-loading') }));
      var people = practitioner
        ? this.call('/v1/practitioners/' + encodeURIComponent(practitioner)).then(function (one) { return [one]; })
        : this.call('/v1/clinics/' + encodeURIComponent(clinic || '') + '/practitioners?limit=100').then(function (page) {
          return page.items.sort(function (a, b) { return a.name.localeCompare(b.name, self.tag); });
        });
      people.then(function (list) {
        if (!list.length) throw new Failure('http', 404);
        self.people = list;
        return self.wording(list[0].clinic.id).then(function (wording) { self.form(wording); });
      }).catch(function (failure) { self.unavailable(failure); });
    }

    zoneName(zone) {
      var named = '';
      try {
        named = new Intl.DateTimeFormat(this.tag, { timeZone: zone, timeZoneName: 'longGeneric' })
          .formatToParts(new Date()).filter(function (p) { return p.type === 'timeZoneName'; })[0].value;
      } catch (e) { named = ''; }
      return named && named !== zone ? named + ' (' + zone + ')' : zone;
    }

    format(iso, zone, options) {
      return new Intl.DateTimeFormat(this.tag, Object.assign({ timeZone: zone }, options)).format(new Date(iso));
    }

    /** The slot's date in the clinic's zone, as YYYY-MM-DD (the day picker's values). */
    dayOf(iso, zone) {
      var parts = {};
      new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
        .formatToParts(new Date(iso)).forEach(function (part) { parts[part.type] = part.value; });
      return parts.year + '-' + parts.month + '-' + parts.day;
    }
    clock(iso, zone) { return this.format(iso, zone, { hour: 'numeric', minute: '2-digit' }); }
    longDay(iso, zone) { return this.format(iso, zone, { weekday: 'long', month: 'long', day: 'numeric' }); }
    when(iso, zone) { return this.format(iso, zone, { weekday: 'long', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit' }); }

    form(wording) {
      var self = this;
      var box = this.message();
      var chosen = this.people[0];
      var zone = chosen.clinic.time_zone;
      var heading = this.heading(this.t('widget-booking-heading'));
      var withWhom = h('p', { part: 'practitioner' });
      var picker = null;
      if (this.people.length > 1) {
        picker = this.field('practitioner_id', this.t('widget-booking-practitioner'),
          h('select', { onchange: function () { choose(self.people[picker.querySelector('select').selectedIndex]); } },
            this.people.map(function (p) { return h('option', { value: p.id, text: p.name }); })));
      }
      var modeField = h('fieldset', { 'data-field': 'mode', 'data-label': this.t('widget-booking-mode-label'), part: 'modes' });
      var slotsField = h('div', { class: 'slot-picker', part: 'slots' });
      var phoneField = this.field('phone', this.t('widget-field-phone'), this.input('tel', { autocomplete: 'tel' }),
        { hint: this.t('widget-booking-phone-hint'), optional: true });
      var form = h('form', { part: 'form', novalidate: true, onsubmit: submit },
        heading, withWhom, box, picker, modeField, slotsField,
        this.field('name', this.t('widget-field-name'), this.input('text', { autocomplete: 'name', maxlength: '200' }), { required: true }),
        this.field('email', this.t('widget-field-email'), this.input('email', { autocomplete: 'email' }), { required: true }),
        phoneField,
        this.field('concern', this.t('widget-field-concern'), h('textarea', { rows: '3', maxlength: '2000' }), { optional: true }),
        this.consents(wording),
        this.honeypot(),
        h('button', { type: 'submit', part: 'button submit', text: this.t('widget-booking-submit') }));
      this.show(form);
      choose(chosen);
      this.dispatchEvent(new CustomEvent('consultdesk-ready'));

      function choose(practitioner) {
        chosen = practitioner;
        zone = chosen.clinic.time_zone;
        withWhom.textContent = self.t('widget-booking-with', { name: chosen.name, clinic: chosen.clinic.name });
        var modeNames = { phone: self.t('widget-mode-phone'), video: self.t('widget-mode-video'), in_person: self.t('widget-mode-in-person') };
        modeField.textContent = '';
        modeField.append(h('legend', { text: self.t('widget-booking-mode') }));
        chosen.consult_modes.forEach(function (mode, index) {
          var id = self.uid + 'mode-' + mode;
          modeField.append(h('label', { class: 'choice', for: id },
            h('input', { type: 'radio', name: 'mode', id: id, value: mode, checked: index === 0, onchange: phoneNeeded }),
            h('span', { text: modeNames[mode] || mode })));
        });
        modeField.append(h('p', { class: 'error', part: 'error', hidden: true }));
        phoneNeeded();
        loadSlots(null);
      }

      function phoneNeeded() {
        var phone = form.elements.mode && form.elements.mode.value === 'phone';
        var note = phoneField.querySelector('.note');
        if (note) note.textContent = self.t(phone ? 'widget-required' : 'widget-optional');
        phoneField.querySelector('input').setAttribute('aria-required', phone ? 'true' : 'false');
      }

      /** The next two weeks of free slots; after a taken one, the next free ones are offered. */
      function loadSlots(taken) {
        var path = '/v1/practitioners/' + encodeURIComponent(chosen.id) + '/slots?from=' + dateIn(zone, 0) + '&to=' + dateIn(zone, DAYS_AHEAD - 1);
        slotsField.textContent = '';
        slotsField.append(h('p', { role: 'status', text: self.t('widget-loading') }));
        return self.call(path).then(function (answer) {
          zone = answer.time_zone || zone;
          drawSlots(answer.slots || [], taken);
        }, function (failure) {
          slotsField.textContent = '';
          self.explain(form, box, failure);
        });
      }

      function drawSlots(slots, taken) {
        slotsField.textContent = '';
        var zoneText = self.zoneName(zone);
        if (!slots.length) {
          slotsField.append(h('div', { 'data-field': 'starts_at', 'data-label': self.t('widget-booking-time') },
            h('p', { text: self.t('widget-booking-no-slots') + ' ' + self.t('widget-booking-call-clinic', { phone: chosen.clinic.phone }) }),
            h('p', { class: 'error', part: 'error', hidden: true })));
          if (taken) self.say(box, self.t('widget-booking-taken-none'));
          return;
        }
        var days = [];
        var byDay = {};
        slots.forEach(function (slot) {
          var key = self.dayOf(slot.starts_at, zone);
          if (!byDay[key]) { byDay[key] = []; days.push(key); }
          byDay[key].push(slot);
        });
        var next = taken ? slots.filter(function (s) { return new Date(s.starts_at) > new Date(taken); }).slice(0, 3) : [];
        var firstDay = next.length ? self.dayOf(next[0].starts_at, zone) : days[0];
        var daySelect = h('select', { onchange: function () { drawDay(daySelect.value, null); } },
          days.map(function (key) {
            return h('option', { value: key, selected: key === firstDay, text: self.longDay(byDay[key][0].starts_at, zone) });
          }));
        var timesId = self.uid + 'times';
        var times = h('fieldset', { 'data-field': 'starts_at', 'data-label': self.t('widget-booking-time'), part: 'times', 'aria-describedby': timesId + '-zone ' + timesId + '-error' });
        slotsField.append(
          h('p', { id: timesId + '-zone', class: 'hint', text: self.t('widget-booking-zone', { zone: zoneText }) }),
          self.field('day', self.t('widget-booking-day'), daySelect),
          times);
        function drawDay(key, focusValue) {
          times.textContent = '';
          times.append(h('legend', { text: self.t('widget-booking-times', { zone: zoneText }) }));
          var list = h('div', { class: 'slots' });
          byDay[key].forEach(function (slot, index) {
            var id = timesId + '-' + index;
            list.append(h('label', { class: 'choice', for: id },
              h('input', { type: 'radio', name: 'starts_at', id: id, value: slot.starts_at, checked: slot.starts_at === focusValue }),
              h('span', { text: self.clock(slot.starts_at, zone) })));
          });
          times.append(list, h('p', { id: timesId + '-error', class: 'error', part: 'error', hidden: true }));
        }
        drawDay(firstDay, null);
        if (taken) {
          if (next.length) {
            var words = self.longDay(next[0].starts_at, zone) + ', ' + next.map(function (s) { return self.clock(s.starts_at, zone); }).join(', ');
            self.say(box, self.t('widget-booking-taken', { times: words }));
            var first = times.querySelector('input[value="' + CSS.escape(next[0].starts_at) + '"]');
            if (first) first.focus();
          } else {
            self.say(box, self.t('widget-booking-taken-none'));
          }
        }
      }

      function submit(event) {
        event.preventDefault();
        var slot = form.querySelector('input[name=starts_at]:checked');
        var mode = form.querySelector('input[name=mode]:checked');
        var body = {
          practitioner_id: chosen.id, starts_at: slot ? slot.value : undefined, mode: mode ? mode.value : undefined,
          patient: { name: self.value(form, 'name'), email: self.value(form, 'email'), phone: self.value(form, 'phone') || undefined },
          concern: self.value(form, 'concern') || undefined, consents: self.consentValues(form),
          consent_wording_version: wording.version, locale: self.locale, website: form.elements.website.value
        };
        self.send(form, '/v1/bookings', body, box).then(function (answer) {
          if (!answer) return;
          var done = h('div', { class: 'message ok', part: 'message', role: 'status', tabindex: '-1',
            text: self.t('widget-booking-sent', {
              name: answer.practitioner ? answer.practitioner.name : chosen.name,
              when: self.when(answer.starts_at, zone) + ' (' + self.zoneName(zone) + ')',
              email: body.patient.email
            }) });
          self.show(self.heading(self.t('widget-booking-heading')), done);
          self.focusLater(done);
          self.dispatchEvent(new CustomEvent('consultdesk-booked', { bubbles: true, composed: true, detail: { id: answer.id, starts_at: answer.starts_at } }));
        }, function (failure) {
          if (failure.status === 409) return loadSlots(body.starts_at);
          var slotRefused = failure.status === 422 && ((failure.problem || {}).errors || []).some(function (e) { return e.field === 'starts_at' && body.starts_at; });
          self.explain(form, box, failure, function (field) { return field.replace(/^patient\./, ''); });
          if (slotRefused) {
            loadSlots(null).then(function () { self.say(box, self.t('widget-booking-slot-gone')); });
          }
        });
      }
    }
  }

  /** "Find a physiotherapist near you": by postal code, city or the browser's location. */
  class Finder extends Widget {
    start() {
      var self = this;
      var box = this.message();
      var results = h('div', { part: 'results' });
      var status = h('p', { role: 'status', class: 'note' });
      var disciplines = { physiotherapy: this.t('widget-discipline-physiotherapy'), chiropractic: this.t('widget-discipline-chiropractic') };
      var discipline = h('select', {}, [
        ['', this.t('widget-finder-any')], ['physiotherapy', this.t('widget-finder-physiotherapy')],
        ['chiropractic', this.t('widget-finder-chiropractic')]
      ].map(function (option) {
        return h('option', { value: option[0], selected: option[0] === (self.getAttribute('discipline') || ''), text: option[1] });
      }));
      var form = h('form', { part: 'form', novalidate: true, role: 'search', onsubmit: search },
        this.heading(this.t('widget-finder-heading')),
        h('p', { class: 'note', text: this.t('widget-finder-either') }),
        box,
        this.field('postal_code', this.t('widget-finder-postal-code'), this.input('text', { autocomplete: 'postal-code', maxlength: '7', size: '8' })),
        this.field('city', this.t('widget-finder-city'), this.input('text', { autocomplete: 'address-level2', maxlength: '100' })),
        this.field('discipline', this.t('widget-finder-discipline'), discipline),
        h('div', { class: 'inline' },
          h('button', { type: 'submit', part: 'button submit', text: this.t('widget-finder-search') }),
          navigator.geolocation ? h('button', { type: 'button', class: 'secondary', part: 'button', text: this.t('widget-finder-locate'), onclick: locate }) : null));
      var booking = h('div', { part: 'booking' });
      this.show(form, status, results, booking);

      function query(where) {
        var parts = [where, 'limit=10'];
        if (discipline.value) parts.push('discipline=' + discipline.value);
        var radius = self.getAttribute('radius-km');
        if (radius) parts.push('radius_km=' + encodeURIComponent(radius));
        return '/v1/practitioners?' + parts.join('&');
      }

      function search(event) {
        event.preventDefault();
        var postal = self.value(form, 'postal_code');
        var city = self.value(form, 'city');
        if (!postal && !city) {
          // Nothing to search from: said here, in the visitor's words, without a request.
          self.clearErrors(form);
          var place = form.querySelector('[data-field=postal_code]');
          var error = place.querySelector('.error');
          error.textContent = self.t('widget-finder-either');
          error.hidden = false;
          place.querySelector('input').setAttribute('aria-invalid', 'true');
          place.querySelector('input').focus();
          return;
        }
        // A postal code is the more precise of the two when both are typed.
        run(query(postal ? 'postal_code=' + encodeURIComponent(postal) : 'city=' + encodeURIComponent(city)), true);
      }

      function locate() {
        status.textContent = self.t('widget-finder-locating');
        navigator.geolocation.getCurrentPosition(function (position) {
          var near = position.coords.latitude.toFixed(4) + ',' + position.coords.longitude.toFixed(4);
          run(query('near=' + near), true);
        }, function () {
          status.textContent = '';
          self.say(box, self.t('widget-finder-no-location'));
        }, { timeout: 15000, maximumAge: 600000 });
      }

      function run(path, fresh) {
        if (self.busy) return;
        self.busy = true;
        form.setAttribute('aria-busy', 'true');
        self.clearErrors(form);
        box.textContent = '';
        box.className = 'message';
        self.call(path).then(function (page) {
          self.busy = false;
          form.removeAttribute('aria-busy');
          draw(page, fresh, path);
        }, function (failure) {
          self.busy = false;
          form.removeAttribute('aria-busy');
          self.explain(form, box, failure, function (field) { return field === 'location' ? 'postal_code' : field; });
        });
      }

      function draw(page, fresh, path) {
        var list = results.querySelector('ul');
        if (fresh || !list) {
          results.textContent = '';
          self.found = 0;
          list = h('ul', { class: 'results', part: 'list' });
          results.append(list);
        }
        var more = results.querySelector('.more');
        if (more) more.remove();
        var firstNew = null;
        page.items.forEach(function (item) {
          var button = h('button', { type: 'button', part: 'button book', text: self.t('widget-finder-book', { name: item.name }),
            onclick: function () { open(item, button); } });
          firstNew = firstNew || button;
          var zone = item.clinic.time_zone;
          var next = item.next_available
            ? self.t('widget-finder-next', { when: new Intl.DateTimeFormat(self.tag, { timeZone: zone, weekday: 'long', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(new Date(item.next_available)) })
            : self.t('widget-finder-no-next');
          var languages = '';
          try {
            var names = new Intl.DisplayNames([self.tag], { type: 'language' });
            languages = item.languages.map(function (code) { return names.of(code); }).join(', ');
          } catch (e) { languages = item.languages.join(', '); }
          var level = +(/^[2-5]$/.test(self.getAttribute('heading-level') || '') ? self.getAttribute('heading-level') : 2) + 1;
          list.append(h('li', { class: 'result', part: 'result', 'data-practitioner-id': item.id },
            h('h' + level, { text: item.name }),
            h('p', { text: (disciplines[item.discipline] || item.discipline) + ' · ' + item.clinic.name }),
            h('p', { class: 'note', text: [item.clinic.address, item.clinic.city, item.clinic.province].filter(Boolean).join(', ') + ' · ' +
              self.t('widget-finder-distance', { km: new Intl.NumberFormat(self.tag, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(item.distance_km) }) }),
            h('p', { text: next }),
            languages ? h('p', { class: 'note', text: self.t('widget-finder-languages', { languages: languages }) }) : null,
            button));
        });
        self.found += page.items.length;
        status.textContent = self.found ? self.t('widget-finder-results', { count: self.found }) : self.t('widget-finder-none');
        if (page.next_cursor) {
          var base = path.replace(/&cursor=[^&]*/, '');
          results.append(h('button', { type: 'button', class: 'secondary more', part: 'button more', text: self.t('widget-finder-more'),
            onclick: function () { run(base + '&cursor=' + encodeURIComponent(page.next_cursor), false); } }));
        }
        if (!fresh && firstNew) firstNew.focus();
      }

      /** Opens the booking form for a result, in place of the results; "back" returns to them. */
      function open(item, from) {
        booking.textContent = '';
        var element = document.createElement('consultdesk-booking');
        element.setAttribute('practitioner', item.id);
        element.setAttribute('clinic', item.clinic.id);
        element.setAttribute('locale', self.locale);
        element.setAttribute('heading-level', self.getAttribute('heading-level') || '2');
        var back = h('button', { type: 'button', class: 'secondary', part: 'button back', text: self.t('widget-finder-back'),
          onclick: function () {
            booking.textContent = '';
            form.hidden = false; results.hidden = false; status.hidden = false;
            from.focus();
          } });
        form.hidden = true; results.hidden = true; status.hidden = true;
        // Keyboard and screen reader users land on the booking form's heading once it is drawn.
        element.addEventListener('consultdesk-ready', function () {
          element.shadowRoot.querySelector('[part=heading]').focus();
        }, { once: true });
        booking.append(back, element);
      }
    }
  }

  customElements.define('consultdesk-callback', Callback);
  customElements.define('consultdesk-booking', Booking);
  customElements.define('consultdesk-finder', Finder);
})();
