/* Frontdesk booking widget v1 (README "Booking widget"). Plain JS, no dependencies, no third-party requests.
 * Usage: <div data-frontdesk-widget data-key="pk_..." [data-location="loc-id"] [data-locale="en-AU"]></div>
 * and this script. Each such element gets a booking panel in a shadow root, talking to the Frontdesk that served
 * this script. Times are shown in the clinic's zone; the caller's own is added when it differs. */
(function() {
"use strict";
var SCRIPT = document.currentScript;
var BASE = SCRIPT && SCRIPT.src ? new URL(SCRIPT.src).origin : "";

var CSS = [
    ":host{display:block;max-width:560px;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;",
    "color:#1f2933}",
    ".fdw{box-sizing:border-box;background:#fff;border:1px solid #cbd2d9;border-radius:12px;padding:16px;",
    "min-width:0;overflow-wrap:anywhere}",
    ".fdw *{box-sizing:border-box}",
    "h2{font-size:1.25rem;margin:0 0 4px}h3{font-size:1.05rem;margin:12px 0 8px}",
    "h2:focus,h3:focus{outline:none}",
    "p{margin:0 0 12px}.muted{color:#52606d}",
    "button,input,select{font:inherit}",
    "button{cursor:pointer;border-radius:8px;border:1px solid #9aa5b1;background:#fff;color:#1f2933;",
    "padding:10px 12px;min-height:44px}",
    "button:hover{background:#f0f4f8}",
    "button[disabled]{cursor:default;background:#f5f7fa;color:#616e7c;border-color:#e4e7eb}",
    ":focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}",
    ".primary{background:#1d4ed8;border-color:#1d4ed8;color:#fff;font-weight:600}",
    ".primary:hover{background:#1e40af}",
    ".list{display:grid;gap:8px;margin:0 0 12px;padding:0;list-style:none}",
    ".list button{width:100%;text-align:left;display:flex;justify-content:space-between;gap:8px}",
    ".days{display:grid;grid-template-columns:repeat(7,minmax(0,1fr));gap:4px;margin:0 0 12px;padding:0;",
    "list-style:none}",
    ".days button{width:100%;padding:6px 2px;text-align:center;line-height:1.25;font-size:.85rem}",
    ".days button[aria-pressed=true]{background:#1d4ed8;border-color:#1d4ed8;color:#fff}",
    ".times{display:grid;grid-template-columns:repeat(auto-fill,minmax(112px,1fr));gap:8px;margin:0 0 12px;",
    "padding:0;list-style:none}",
    ".times button{width:100%;text-align:center}.times small{display:block;color:inherit;font-size:.75rem}",
    "label{display:block;font-weight:600;margin:8px 0 4px}",
    "input,select{width:100%;padding:10px;border:1px solid #7b8794;border-radius:8px;min-height:44px}",
    "input[aria-invalid=true]{border-color:#b42318}",
    ".err{color:#b42318;font-size:.9rem;margin:4px 0 0}",
    ".alert{border-left:4px solid #b42318;background:#fef3f2;padding:8px 12px;margin:0 0 12px}",
    ".note{border-left:4px solid #1d4ed8;background:#eff6ff;padding:8px 12px;margin:0 0 12px}",
    ".row{display:flex;flex-wrap:wrap;gap:8px;margin-top:12px}",
    "dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:0 0 12px}dt{font-weight:600}dd{margin:0}",
    ".timer{font-variant-numeric:tabular-nums;font-weight:600}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    "a.ics{display:inline-block;padding:10px 12px;border-radius:8px;background:#1d4ed8;color:#fff;",
    "font-weight:600;text-decoration:none}",
].join("");

function el(tag, attrs, children)
{
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function(k) {
        if (k === "text")
            e.textContent = attrs[k];
        else if (k === "on")
            Object.keys(attrs.on).forEach(function(ev) {
                e.addEventListener(ev, attrs.on[ev]);
            });
        else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false)
            e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function(c) {
        if (c) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
}

function pad(n)
{
    return (n < 10 ? "0" : "") + n;
}

/* "YYYY-MM-DD" plus n days (calendar arithmetic, no zone involved). */
function addDays(date, n)
{
    var d = new Date(Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10) + n));
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate());
}

/* The local date "YYYY-MM-DD" of an instant (ms) in a zone. */
function dateIn(ms, zone)
{
    var p = {};
    new Intl.DateTimeFormat("en-CA", {timeZone : zone, year : "numeric", month : "2-digit", day : "2-digit"})
        .formatToParts(new Date(ms))
        .forEach(function(x) {
            p[x.type] = x.value;
        });
    return p.year + "-" + p.month + "-" + p.day;
}

function randomKey()
{
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map
        .call(b,
              function(x) {
                  return pad(x.toString(16)).slice(-2);
              })
        .join("");
}

function Widget(host)
{
    this.host = host;
    this.key = host.getAttribute("data-key") || "";
    this.locale = host.getAttribute("data-locale") || document.documentElement.lang || navigator.language;
    this.wantLocation = host.getAttribute("data-location");
    this.base = host.getAttribute("data-api") || BASE;
    this.skew = 0; /* the service's clock minus this browser's, from Frontdesk-Now */
    this.userZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    this.root = host.attachShadow({mode : "open"});
    this.root.appendChild(el("style", {text : CSS}));
    this.status = el("div", {class : "sr", role : "status", "aria-live" : "polite"});
    this.body = el("div");
    this.panel = el("section", {class : "fdw", "aria-label" : "Book an appointment"}, [ this.status, this.body ]);
    this.root.appendChild(this.panel);
    this.choice = {};
    this.start();
}

Widget.prototype.now = function() {
    return Date.now() + this.skew;
};

Widget.prototype.say = function(text) {
    var s = this.status;
    s.textContent = "";
    setTimeout(function() {
        s.textContent = text;
    }, 50);
};

Widget.prototype.call = function(route, body, extraHeaders) {
    var self = this;
    var headers = {"content-type" : "application/json", "x-api-key" : this.key};
    Object.keys(extraHeaders || {}).forEach(function(k) {
        headers[k] = extraHeaders[k];
    });
    return fetch(this.base + "/ai_brain/" + route, {
               method : "POST",
               mode : "cors",
               credentials : "omit",
               headers : headers,
               body : JSON.stringify(body || {}),
           })
        .then(
            function(res) {
                var now = Number(res.headers.get("frontdesk-now"));
                if (now > 0) self.skew = now - Date.now();
                return res.json()
                    .catch(function() {
                        return {};
                    })
                    .then(function(json) {
                        if (res.ok) return json;
                        var e = (json && json.error) || {};
                        var err = new Error(e.message || "Something went wrong.");
                        err.status = res.status;
                        err.code = e.code || "error";
                        err.field = e.field || null;
                        err.retryAfter = Number(res.headers.get("retry-after")) || 0;
                        throw err;
                    });
            },
            function() {
                var err = new Error("Online booking is not available on this page right now. Please call the clinic.");
                err.code = "network";
                throw err;
            });
};

/* Replaces the panel's content with a step: a heading (focused, announced) and its nodes. */
Widget.prototype.show = function(step, title, nodes, focus) {
    var h = el("h2", {tabindex : "-1", text : title});
    this.body.textContent = "";
    this.body.setAttribute("data-step", step);
    this.body.appendChild(h);
    var self = this;
    nodes.forEach(function(n) {
        if (n) self.body.appendChild(n);
    });
    (focus || h).focus();
    this.say(title);
};

Widget.prototype.fail = function(err, retry) {
    var self = this;
    var nodes = [ el("p", {class : "alert", role : "alert", text : err.message}) ];
    if (retry)
        nodes.push(
            el("div", {class : "row"},
               [ el("button", {type : "button", class : "primary", text : "Try again", on : {click : retry}}) ]));
    this.show("error", "We could not continue", nodes);
    if (err.code === "network") self.host.setAttribute("data-unavailable", "true");
};

Widget.prototype.start = function() {
    var self = this;
    this.show("loading", "Book an appointment", [ el("p", {class : "muted", text : "Loading\u2026"}) ]);
    this.call("fetchAllLocations", {})
        .then(function(r) {
            self.locations = r.locations || [];
            var pick = self.locations.filter(function(l) {
                return l.id === self.wantLocation;
            })[0];
            if (pick || self.locations.length === 1) return self.useLocation(pick || self.locations[0]);
            self.chooseLocation();
        })
        .catch(function(e) {
            self.fail(e, function() {
                self.start();
            });
        });
};

Widget.prototype.chooseLocation = function() {
    var self = this;
    var items = this.locations.map(function(l) {
        return el("li", {}, [ el("button", {
                      type : "button",
                      "data-kind" : "location",
                      "data-id" : l.id,
                      on : {
                          click : function() {
                              self.useLocation(l);
                          }
                      }
                  },
                                 [
                                     el("span", {text : l.name}),
                                     el("span", {class : "muted", text : (l.address && l.address.city) || ""})
                                 ]) ]);
    });
    this.show("location", "Choose a clinic", [ el("ul", {class : "list"}, items) ]);
};

Widget.prototype.useLocation = function(loc) {
    var self = this;
    this.location = loc;
    this.zone = loc.time_zone;
    var body = {locationId : loc.id};
    Promise.all([ this.call("fetchAllTreatments", body), this.call("fetchAllStaff", body) ])
        .then(function(r) {
            self.treatments = r[0].treatments || [];
            self.staff = (r[1].staff || []).filter(function(s) {
                return s.ai_enabled !== false;
            });
            self.chooseTreatment();
        })
        .catch(function(e) {
            self.fail(e, function() {
                self.useLocation(loc);
            });
        });
};

Widget.prototype.back = function(to) {
    var self = this;
    return el("button", {
        type : "button",
        text : "Back",
        on : {
            click : function() {
                to.call(self);
            }
        }
    });
};

Widget.prototype.price = function(t) {
    if (!t.price || t.price.amount === null || t.price.amount === undefined) return "";
    try {
        return new Intl.NumberFormat(this.locale, {style : "currency", currency : t.price.currency || "USD"})
            .format(t.price.amount);
    } catch (e) {
        return String(t.price.amount);
    }
};

Widget.prototype.chooseTreatment = function() {
    var self = this;
    var offered = this.treatments.filter(function(t) {
        return self.staffFor(t).length > 0;
    });
    var items = offered.map(function(t) {
        var detail = t.duration_minutes + " min" + (self.price(t) ? " \u00b7 " + self.price(t) : "");
        return el("li", {}, [ el("button", {
                      type : "button",
                      "data-kind" : "treatment",
                      "data-id" : t.id,
                      on : {
                          click : function() {
                              self.choice.treatment = t;
                              self.choosePractitioner();
                          }
                      }
                  },
                                 [ el("span", {text : t.name}), el("span", {class : "muted", text : detail}) ]) ]);
    });
    var nodes = [
        el("p", {class : "muted", text : this.location.name}), el("h3", {text : "Treatment"}),
        el("ul", {class : "list"}, items)
    ];
    if (this.locations.length > 1) nodes.push(el("div", {class : "row"}, [ this.back(this.chooseLocation) ]));
    this.show("treatment", "Book an appointment", nodes);
};

Widget.prototype.staffFor = function(t) {
    return this.staff.filter(function(s) {
        return (s.treatment_ids || []).indexOf(t.id) >= 0;
    });
};

Widget.prototype.choosePractitioner = function() {
    var self = this;
    var people = this.staffFor(this.choice.treatment);
    var pick = function(who) {
        self.choice.staff = who;
        self.days = null;
        self.chooseTime();
    };
    var items = [ el("li", {}, [ el("button", {
                         type : "button",
                         "data-kind" : "staff",
                         "data-id" : "anyone",
                         on : {
                             click : function() {
                                 pick(null);
                             }
                         }
                     },
                                    [ el("span", {text : "Anyone available"}) ]) ]) ];
    people.forEach(function(s) {
        items.push(el("li", {}, [ el("button", {
                          type : "button",
                          "data-kind" : "staff",
                          "data-id" : s.id,
                          on : {
                              click : function() {
                                  pick(s);
                              }
                          }
                      },
                                     [ el("span", {text : s.name}) ]) ]));
    });
    this.show("practitioner", "Who would you like to see?", [
        el("p", {class : "muted", text : this.choice.treatment.name}), el("ul", {class : "list"}, items),
        el("div", {class : "row"}, [ this.back(this.chooseTreatment) ])
    ]);
};

/* Loads the next 7 days of slots for the choice (every practitioner of the treatment for "anyone"). */
Widget.prototype.loadSlots = function() {
    var self = this;
    var who = this.choice.staff ? [ this.choice.staff ] : this.staffFor(this.choice.treatment);
    return Promise
        .all(who.map(function(s) {
            return self.call(
                "fetchAvailabilityNext7Days",
                {staff_member_id : s.id, treatment_id : self.choice.treatment.id, locationId : self.location.id});
        }))
        .then(function(answers) {
            var seen = {}, slots = [];
            answers.forEach(function(a) {
                (a.slots || []).forEach(function(s) {
                    slots.push(s);
                });
            });
            slots.sort(function(a, b) {
                return a.start_at < b.start_at ? -1 : a.start_at > b.start_at ? 1 : 0;
            });
            self.slots = slots.filter(function(s) {
                return seen[s.start_at] ? false : (seen[s.start_at] = true);
            });
            self.today = dateIn(self.now(), self.zone);
        });
};

/* The time of an instant in a zone; in the caller's zone with its weekday when that is another day there. */
Widget.prototype.timeText = function(iso, zone) {
    var opts = {timeZone : zone, hour : "numeric", minute : "2-digit"};
    if (zone !== this.zone && dateIn(Date.parse(iso), zone) !== dateIn(Date.parse(iso), this.zone))
        opts.weekday = "short";
    return new Intl.DateTimeFormat(this.locale, opts).format(new Date(iso));
};

Widget.prototype.dayText = function(date, opts) {
    return new Intl.DateTimeFormat(this.locale, Object.assign({timeZone : "UTC"}, opts))
        .format(new Date(date + "T12:00:00Z"));
};

Widget.prototype.zoneName = function(zone) {
    try {
        var p =
            new Intl.DateTimeFormat(this.locale, {timeZone : zone, timeZoneName : "long"}).formatToParts(new Date());
        return p
            .filter(function(x) {
                return x.type === "timeZoneName";
            })[0]
            .value;
    } catch (e) {
        return zone;
    }
};

Widget.prototype.chooseTime = function(notice, after) {
    var self = this;
    this.show("loading", "Finding times\u2026", [ el("p", {class : "muted", text : "Loading\u2026"}) ]);
    this.loadSlots()
        .then(function() {
            self.showTimes(notice, after);
        })
        .catch(function(e) {
            self.fail(e, function() {
                self.chooseTime(notice, after);
            });
        });
};

Widget.prototype.showTimes = function(notice, after) {
    var self = this;
    var byDay = {};
    this.slots.forEach(function(s) {
        (byDay[s.start_local.slice(0, 10)] = byDay[s.start_local.slice(0, 10)] || []).push(s);
    });
    var days = [];
    for (var i = 0; i < 7; i++) days.push(addDays(this.today, i));
    var later = after ? this.slots.filter(function(s) {
        return s.start_at > after;
    })
                      : [];
    var day = this.day && byDay[this.day] ? this.day : days.filter(function(d) {
        return byDay[d];
    })[0];
    if (later.length) day = later[0].start_local.slice(0, 10);
    var otherZone = this.userZone && this.userZone !== this.zone;
    var nodes = [ el("p", {
        class : "muted",
        text :
            this.choice.treatment.name + " \u00b7 " + (this.choice.staff ? this.choice.staff.name : "Anyone available")
    }) ];
    if (notice) nodes.push(el("p", {class : "note", role : "alert", text : notice}));
    nodes.push(el("p", {
        class : "muted",
        "data-zone" : this.zone,
        text : "Times are in " + this.location.name + " time (" + this.zoneName(this.zone) + ")" +
                   (otherZone ? "; yours (" + this.zoneName(this.userZone) + ") is shown below each." : ".")
    }));
    if (!day) {
        nodes.push(el("p", {
            class : "alert",
            text : "There are no free times in the next 7 days. Please call the clinic or choose someone else."
        }));
        nodes.push(el("div", {class : "row"}, [ this.back(this.choosePractitioner) ]));
        this.show("time", "Choose a time", nodes);
        return;
    }
    var dayList = el("ul", {class : "days", "aria-label" : "Days"});
    var times = el("ul", {class : "times", "aria-label" : "Times"});
    var timesTitle = el("h3", {tabindex : "-1"});
    var render = function(d, focusFirst) {
        self.day = d;
        Array.prototype.forEach.call(dayList.querySelectorAll("button"), function(b) {
            b.setAttribute("aria-pressed", String(b.getAttribute("data-date") === d));
        });
        timesTitle.textContent = self.dayText(d, {weekday : "long", day : "numeric", month : "long"});
        times.textContent = "";
        (byDay[d] || []).forEach(function(s) {
            var label = [ el("span", {text : self.timeText(s.start_at, self.zone)}) ];
            if (otherZone) label.push(el("small", {text : "your time " + self.timeText(s.start_at, self.userZone)}));
            var isNext = later.length && s === later[0];
            times.appendChild(el("li", {}, [ el("button", {
                                     type : "button",
                                     "data-kind" : "time",
                                     "data-start" : s.start_at,
                                     "data-next" : isNext ? "true" : null,
                                     on : {
                                         click : function() {
                                             self.choice.slot = s;
                                             self.askDetails();
                                         }
                                     }
                                 },
                                                label) ]));
        });
        if (focusFirst) {
            var first = times.querySelector(later.length ? "button[data-next]" : "button");
            (first || timesTitle).focus();
        }
    };
    days.forEach(function(d) {
        var n = (byDay[d] || []).length;
        var label = self.dayText(d, {weekday : "short", day : "numeric", month : "short"}) + ", " +
                    (n ? n + (n === 1 ? " time" : " times") : "no times");
        dayList.appendChild(el("li", {}, [ el("button", {
                                   type : "button",
                                   "data-kind" : "day",
                                   "data-date" : d,
                                   "aria-label" : label,
                                   disabled : n ? null : "disabled",
                                   on : {
                                       click : function() {
                                           render(d, false);
                                           timesTitle.focus();
                                       }
                                   }
                               },
                                              [
                                                  el("span", {text : self.dayText(d, {weekday : "short"})}), el("br"),
                                                  el("strong", {text : self.dayText(d, {day : "numeric"})})
                                              ]) ]));
    });
    nodes.push(dayList, timesTitle, times, el("div", {class : "row"}, [ this.back(this.choosePractitioner) ]));
    this.show("time", notice ? "Choose another time" : "Choose a time", nodes);
    render(day, Boolean(notice));
};

Widget.prototype.slotSummary = function(s) {
    var text = this.dayText(s.start_local.slice(0, 10), {weekday : "long", day : "numeric", month : "long"}) + ", " +
               this.timeText(s.start_at, this.zone);
    if (this.userZone && this.userZone !== this.zone)
        text += " (your time " + this.timeText(s.start_at, this.userZone) + ")";
    return text;
};

Widget.prototype.askDetails = function() {
    var self = this;
    var fields = [
        [ "first_name", "First name", "given-name", "text", true ],
        [ "last_name", "Last name", "family-name", "text", true ], [ "phone", "Mobile phone", "tel", "tel", true ],
        [ "email", "E-mail (optional)", "email", "email", false ]
    ];
    var saved = this.details || {};
    var inputs = {};
    var form = el("form", {novalidate : "novalidate"});
    fields.forEach(function(f) {
        var id = "fdw-" + f[0];
        inputs[f[0]] = el("input", {
            id : id,
            name : f[0],
            type : f[3],
            autocomplete : f[2],
            required : f[4] ? "required" : null,
            "aria-describedby" : id + "-err"
        });
        inputs[f[0]].value = saved[f[0]] || "";
        form.appendChild(el("label", { for: id, text: f[1]
        }));
        form.appendChild(inputs[f[0]]);
        form.appendChild(el("p", {class : "err", id : id + "-err"}));
    });
    var problem = function(name, text) {
        inputs[name].setAttribute("aria-invalid", "true");
        self.root.getElementById("fdw-" + name + "-err").textContent = text;
        inputs[name].focus();
    };
    var submit = el("button", {type : "submit", class : "primary", text : "Hold this time"});
    form.appendChild(el("div", {class : "row"}, [
        submit, this.back(function() {
            this.showTimes();
        })
    ]));
    form.addEventListener("submit", function(ev) {
        ev.preventDefault();
        var d = {};
        fields.forEach(function(f) {
            d[f[0]] = inputs[f[0]].value.trim();
            inputs[f[0]].removeAttribute("aria-invalid");
            self.root.getElementById("fdw-" + f[0] + "-err").textContent = "";
        });
        for (var i = 0; i < fields.length; i++)
            if (fields[i][4] && !d[fields[i][0]]) return problem(fields[i][0], fields[i][1] + " is required.");
        self.details = d;
        submit.disabled = true;
        var body = {first_name : d.first_name, last_name : d.last_name, phone : d.phone};
        if (d.email) body.email = d.email;
        self.call("lookup-create-patient", body, {"idempotency-key" : randomKey()})
            .then(function(r) {
                return self.call("createAppt", {patient_id : r.patient.id, slot_id : self.choice.slot.slot_id});
            })
            .then(function(r) {
                self.hold = r.appointment;
                self.review();
            })
            .catch(function(e) {
                submit.disabled = false;
                if (e.code === "invalid_field" && inputs[e.field]) return problem(e.field, e.message);
                if (e.code === "slot_taken" || e.code === "slot_unavailable" || e.code === "invalid_range")
                    return self.chooseTime("Sorry, that time was just taken. Here are the next available times.",
                                           self.choice.slot.start_at);
                self.fail(e, function() {
                    self.askDetails();
                });
            });
    });
    this.show(
        "details", "Your details",
        [
            el("p",
               {class : "muted", text : this.choice.treatment.name + " \u00b7 " + this.slotSummary(this.choice.slot)}),
            form
        ],
        inputs.first_name);
};

Widget.prototype.review = function() {
    var self = this;
    var s = this.choice.slot, h = this.hold;
    var timer = el("span", {class : "timer", role : "timer", "aria-live" : "off"});
    var confirm = el("button", {type : "button", class : "primary", text : "Confirm booking"});
    var expiresAt = Date.parse(h.hold_expires_at);
    var announced = false;
    var tick = function() {
        var left = Math.max(0, Math.round((expiresAt - self.now()) / 1000));
        timer.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
        if (left <= 60 && !announced) {
            announced = true;
            self.say("One minute left to confirm this time.");
        }
        if (left === 0) self.expired();
    };
    var dl = el("dl", {}, [
        el("dt", {text : "Treatment"}), el("dd", {text : this.choice.treatment.name}), el("dt", {text : "With"}),
        el("dd", {text : h.staff_member_name || (this.choice.staff && this.choice.staff.name) || ""}),
        el("dt", {text : "When"}), el("dd", {text : this.slotSummary(s)}), el("dt", {text : "Where"}),
        el("dd", {text : this.location.name}), el("dt", {text : "Name"}),
        el("dd", {text : this.details.first_name + " " + this.details.last_name})
    ]);
    var idem = randomKey();
    confirm.addEventListener("click", function() {
        confirm.disabled = true;
        self.call("bookAppt", {appointment_id : h.id}, {"idempotency-key" : idem})
            .then(function(r) {
                self.stopTimer();
                self.done(r.appointment);
            })
            .catch(function(e) {
                confirm.disabled = false;
                if (e.code === "hold_expired") return self.expired();
                if (e.code === "slot_taken")
                    return self.chooseTime("Sorry, that time was just taken. Here are the next available times.",
                                           s.start_at);
                self.stopTimer();
                self.fail(e, function() {
                    self.review();
                });
            });
    });
    this.show("confirm", "Confirm your booking",
              [
                  dl, el("p", {class : "note"}, [ "We are holding this time for you for ", timer, "." ]),
                  el("div", {class : "row"},
                     [
                         confirm, this.back(function() {
                             this.stopTimer();
                             this.showTimes();
                         })
                     ])
              ],
              confirm);
    this.stopTimer();
    tick();
    this.timer = setInterval(tick, 1000);
};

Widget.prototype.stopTimer = function() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
};

Widget.prototype.expired = function() {
    var self = this;
    this.stopTimer();
    this.show("expired", "This time is no longer held", [
        el("p", {class : "alert", role : "alert", text : "The hold on this time expired before it was confirmed."}),
        el("div", {class : "row"}, [ el("button", {
               type : "button",
               class : "primary",
               text : "Choose a time again",
               on : {
                   click : function() {
                       self.chooseTime();
                   }
               }
           }) ])
    ]);
};

Widget.prototype.ics = function(a) {
    var stamp = function(iso) {
        return iso.replace(/[-:]/g, "").replace(/\.\d+/, "");
    };
    var esc = function(t) {
        return String(t || "").replace(/([\\;,])/g, "\\$1").replace(/\n/g, "\\n");
    };
    var addr = this.location.address || {};
    var where = [ this.location.name, addr.line1, addr.city ].filter(Boolean).join(", ");
    var lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Frontdesk//Booking widget//EN", "BEGIN:VEVENT",
        "UID:" + esc(a.id) + "@frontdesk", "DTSTAMP:" + stamp(new Date(this.now()).toISOString()),
        "DTSTART:" + stamp(a.start_at), "DTEND:" + stamp(a.end_at),
        "SUMMARY:" + esc((a.treatment_name || this.choice.treatment.name) +
                         (a.staff_member_name ? " with " + a.staff_member_name : "")),
        "LOCATION:" + esc(where), "END:VEVENT", "END:VCALENDAR"
    ];
    return "data:text/calendar;charset=utf-8," + encodeURIComponent(lines.join("\r\n") + "\r\n");
};

Widget.prototype.done = function(a) {
    var link =
        el("a", {class : "ics", href : this.ics(a), download : "appointment.ics", text : "Add to calendar (.ics)"});
    this.show("done", "You're booked", [
        el("p", {class : "note", text : "See you " + this.slotSummary(this.choice.slot) + "."}),
        el("dl", {},
           [
               el("dt", {text : "Treatment"}), el("dd", {text : a.treatment_name || this.choice.treatment.name}),
               el("dt", {text : "With"}), el("dd", {text : a.staff_member_name || ""}), el("dt", {text : "Where"}),
               el("dd", {text : a.location_name || this.location.name}), el("dt", {text : "Reference"}),
               el("dd", {"data-appointment" : a.id, text : a.id})
           ]),
        el("div", {class : "row"}, [ link ])
    ]);
};

function boot()
{
    Array.prototype.forEach.call(document.querySelectorAll("[data-frontdesk-widget]"), function(host) {
        if (!host.shadowRoot) new Widget(host);
    });
}
if (document.readyState === "loading")
    document.addEventListener("DOMContentLoaded", boot);
else
    boot();
})();
