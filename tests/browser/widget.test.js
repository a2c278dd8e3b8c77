// tests/browser/widget.test.js: the booking widget in headless Chromium (puppeteer-core), against the frontdesk and
// pages that tests/browser/test_widget_browser.py started. Writes a screenshot per step into FD_WIDGET_OUT and
// prints one line per scenario, then "N passed, N failed".
// Environment: CHROMIUM (executable), FD_URL (frontdesk), API_KEY (the demo tenant's), EMBED_URL (a page on an
// allowed origin with the short-hold tenant's widget key), DENIED_URL (the same page on an origin not listed),
// FD_WIDGET_OUT (screenshot folder). Dates come from the service (its answers), never from this machine's clock.
"use strict";
const fs = require("fs");
const path = require("path");
const puppeteer = require("puppeteer-core");

const env = (name) => {
    if (!process.env[name]) throw new Error(name + " is not set");
    return process.env[name];
};
const FD = env("FD_URL"), OUT = env("FD_WIDGET_OUT");
const ROOT = "[data-frontdesk-widget]";

function assert(ok, message)
{
    if (!ok) throw new Error("assertion failed: " + message);
}

async function api(route, body)
{
    const r = await fetch(FD + "/ai_brain/" + route, {
        method : "POST",
        headers : {"content-type" : "application/json", "x-api-key" : env("API_KEY")},
        body : JSON.stringify(body)
    });
    return {status : r.status, body : await r.json()};
}

// The widget's shadow root, queried inside the page.
async function inWidget(page, fn, arg)
{
    return page.evaluate((root, src, a) => {
        const r = document.querySelector(root).shadowRoot;
        return new Function("r", "a", src)(r, a); // eslint-disable-line no-new-func
    }, ROOT, fn, arg);
}

async function step(page)
{
    return inWidget(page,
                    "const b = r && r.querySelector('[data-step]'); return b ? b.getAttribute('data-step') : null;");
}

async function waitStep(page, want, timeout = 20000)
{
    await page
        .waitForFunction(
            (root, w) => {
                const h = document.querySelector(root);
                const b = h && h.shadowRoot && h.shadowRoot.querySelector("[data-step]");
                return b && b.getAttribute("data-step") === w;
            },
            {timeout}, ROOT, want)
        .catch(async () => {
            throw new Error("the widget did not reach step " + want + " (it is at " + await step(page) + ")");
        });
}

async function el(page, selector)
{
    const h = await page.evaluateHandle((root, s) => document.querySelector(root).shadowRoot.querySelector(s), ROOT,
                                        selector);
    const e = h.asElement();
    assert(e, "no element " + selector + " in the widget");
    return e;
}

async function attr(page, selector, name)
{
    return inWidget(page, "const e = r.querySelector(a[0]); return e ? e.getAttribute(a[1]) : null;",
                    [ selector, name ]);
}

async function text(page)
{
    return inWidget(page, "return r.querySelector('.fdw').innerText;");
}

let shots = 0;
async function shot(page, scenario, name)
{
    const dir = path.join(OUT, scenario);
    fs.mkdirSync(dir, {recursive : true});
    shots++;
    await page.screenshot(
        {path : path.join(dir, String(shots).padStart(2, "0") + "-" + name + ".png"), fullPage : true});
}

async function fill(page, details)
{
    for (const [name, value] of Object.entries(details)) {
        const input = await el(page, "#fdw-" + name);
        await input.click({clickCount : 3});
        await input.type(value);
    }
}

// Treatment -> practitioner (`staff`: "anyone" or "first") -> the time step; returns the ids chosen.
async function toTimes(page, scenario, staff)
{
    await waitStep(page, "location");
    await shot(page, scenario, "location");
    const location = await attr(page, "button[data-kind=location]", "data-id");
    await (await el(page, "button[data-kind=location]")).click();
    await waitStep(page, "treatment");
    await shot(page, scenario, "treatment");
    const treatment = await attr(page, "button[data-kind=treatment]", "data-id");
    await (await el(page, "button[data-kind=treatment]")).click();
    await waitStep(page, "practitioner");
    await shot(page, scenario, "practitioner");
    const sel = staff === "anyone" ? "button[data-kind=staff][data-id=anyone]"
                                   : "button[data-kind=staff]:not([data-id=anyone])";
    const id = await attr(page, sel, "data-id");
    await (await el(page, sel)).click();
    await waitStep(page, "time");
    await shot(page, scenario, "times");
    return {staff : id, treatment, location};
}

const PERSON = (n) => ({first_name : "Web", last_name : "Visitor" + n, phone : "+614120" + String(n).padStart(5, "0")});

const scenarios = {
    async full_booking(browser) {
        const page = await browser.newPage();
        await page.setViewport({width : 1280, height : 900});
        await page.emulateTimezone("America/New_York"); // the caller's zone differs from the clinic's
        await page.goto(FD + "/widget/demo");
        await toTimes(page, "full_booking", "anyone");
        const zoneNote = await inWidget(page, "return r.querySelector('[data-zone]').textContent;");
        assert(/Sydney|Australia/.test(zoneNote) && /yours/.test(zoneNote), "zone note: " + zoneNote);
        assert(/your time/.test(await text(page)), "each time also in the caller's zone");
        const days = await inWidget(page, "return r.querySelectorAll('button[data-kind=day]').length;");
        assert(days === 7, "a strip of 7 days, got " + days);
        // the panel alone, as docs/widget.png shows it
        await (await page.$(ROOT)).screenshot({path: path.join(OUT, "widget.png")});
        const start = await attr(page, "button[data-kind=time]", "data-start");
        await (await el(page, "button[data-kind=time]")).click();
        await waitStep(page, "details");
        await fill(page, PERSON(1));
        await shot(page, "full_booking", "details");
        await (await el(page, "button[type=submit]")).click();
        await waitStep(page, "confirm");
        const timer = await inWidget(page, "return r.querySelector('[role=timer]').textContent;");
        const m = /^(\d+):(\d\d)$/.exec(timer);
        assert(m && +m[1] * 60 + +m[2] > 240 && +m[1] * 60 + +m[2] <= 300, "hold countdown near 5:00: " + timer);
        await shot(page, "full_booking", "confirm");
        await (await el(page, "button.primary")).click();
        await waitStep(page, "done");
        await shot(page, "full_booking", "done");
        const id = await attr(page, "[data-appointment]", "data-appointment");
        const href = await attr(page, "a.ics", "href");
        assert(href.startsWith("data:text/calendar"), "the .ics is made in the browser: " + href.slice(0, 40));
        const ics = decodeURIComponent(href.slice(href.indexOf(",") + 1));
        assert(/BEGIN:VEVENT/.test(ics) && ics.includes("DTSTART:" + start.replace(/[-:]/g, "").replace(/\.\d+/, "")),
               "the .ics holds the booked start " + start + ":\n" + ics);
        const mine = await api("fetchPatientsAppointments", {phone : PERSON(1).phone});
        const booked = mine.body.appointments.filter((a) => a.id === id);
        assert(booked.length === 1 && booked[0].state === "booked" && booked[0].start_at === start,
               "the EMR has the booking: " + JSON.stringify(mine.body));
        await page.close();
    },

    async slot_taken(browser) {
        const page = await browser.newPage();
        await page.setViewport({width : 1280, height : 900});
        await page.goto(FD + "/widget/demo");
        const chosen = await toTimes(page, "slot_taken", "first");
        const start = await attr(page, "button[data-kind=time]", "data-start");
        await (await el(page, "button[data-kind=time]")).click();
        await waitStep(page, "details");
        await fill(page, PERSON(2));
        // Someone else (the clinic's agent) holds that very slot before the visitor confirms.
        const offered =
            await api("fetchAvailabilityNext7Days",
                      {staff_member_id : chosen.staff, treatment_id : chosen.treatment, locationId : chosen.location});
        const taken = (offered.body.slots || []).find((x) => x.start_at === start);
        assert(taken, "the API offers the slot the widget showed: " + JSON.stringify(offered.body).slice(0, 300));
        const other =
            await api("lookup-create-patient", {first_name : "Agent", last_name : "Caller", phone : "+61412099999"});
        const held = await api("createAppt", {patient_id : other.body.patient.id, slot_id : taken.slot_id});
        assert(held.status === 201, "the agent holds it first: " + JSON.stringify(held.body));
        await (await el(page, "button[type=submit]")).click();
        await waitStep(page, "time");
        await page.waitForFunction((root) => document.querySelector(root).shadowRoot.querySelector("[data-next]"),
                                   {timeout : 10000}, ROOT);
        const all = await text(page);
        assert(/just taken/.test(all), "the visitor is told: " + all);
        const next = await attr(page, "[data-next]", "data-start");
        assert(next > start, "the next time offered is after the taken one: " + next + " vs " + start);
        const focused = await inWidget(page, "return r.activeElement && r.activeElement.getAttribute('data-start');");
        assert(focused === next, "focus is on the next time, got " + focused);
        const starts = await inWidget(page, "return [...r.querySelectorAll('button[data-kind=time]')]" +
                                                ".map(b => b.getAttribute('data-start'));");
        assert(!starts.includes(start), "the taken time is no longer offered");
        await shot(page, "slot_taken", "next-times");
        await page.close();
    },

    async expired_hold(browser) {
        const page = await browser.newPage();
        await page.setViewport({width : 1280, height : 900});
        await page.goto(env("EMBED_URL"));
        await toTimes(page, "expired_hold", "anyone");
        await (await el(page, "button[data-kind=time]")).click();
        await waitStep(page, "details");
        await fill(page, PERSON(3));
        await (await el(page, "button[type=submit]")).click();
        await waitStep(page, "confirm");
        const timer = await inWidget(page, "return r.querySelector('[role=timer]').textContent;");
        assert(/^0:(0\d|10)$/.test(timer), "a 10 s hold counts down from 0:10: " + timer);
        await shot(page, "expired_hold", "countdown");
        await waitStep(page, "expired", 20000);
        assert(/expired/.test(await text(page)), "the visitor is told the hold expired");
        await shot(page, "expired_hold", "expired");
        await (await el(page, "button.primary")).click();
        await waitStep(page, "time");
        await page.close();
    },

    async disallowed_origin(browser) {
        const page = await browser.newPage();
        await page.setViewport({width : 1280, height : 900});
        const refused = [];
        page.on("response", (r) => {
            if (r.url().startsWith(FD + "/ai_brain/")) refused.push(r.status());
        });
        await page.goto(env("DENIED_URL"));
        await waitStep(page, "error");
        assert(/not available on this page/.test(await text(page)), "the visitor is told booking is not available");
        assert(await page.evaluate((root) => document.querySelector(root).getAttribute("data-unavailable"), ROOT) ===
                   "true",
               "marked unavailable");
        assert(refused.length > 0 && refused.every((s) => s === 403 || s === 204),
               "frontdesk refused the origin: " + refused);
        await shot(page, "disallowed_origin", "refused");
        await page.close();
    },

    async keyboard_only(browser) {
        const page = await browser.newPage();
        await page.setViewport({width : 1280, height : 900});
        await page.goto(FD + "/widget/demo");
        await waitStep(page, "location");
        const focused = (sel) => inWidget(page, "const x = r.activeElement; return !!x && x.matches(a);", sel);
        const tabTo = async (sel) => {
            for (let i = 0; i < 80; i++) {
                if (await focused(sel)) return;
                await page.keyboard.press("Tab");
            }
            throw new Error("Tab never reached " + sel);
        };
        const press = async (sel) => {
            await tabTo(sel);
            await page.keyboard.press("Enter");
        };
        // The widget moves focus to each step's heading; Tab from there reaches its controls.
        await press("button[data-kind=location]");
        await waitStep(page, "treatment");
        await tabTo("button[data-kind=treatment]");
        const ring = await inWidget(page, "const s = getComputedStyle(r.activeElement); " +
                                              "return [s.outlineStyle, parseFloat(s.outlineWidth)];");
        assert(ring[0] !== "none" && ring[1] >= 2, "a visible focus ring: " + ring);
        await shot(page, "keyboard_only", "focus-ring");
        await page.keyboard.press("Enter");
        await waitStep(page, "practitioner");
        await press("button[data-id=anyone]");
        await waitStep(page, "time");
        await press("button[data-kind=time]");
        await waitStep(page, "details");
        const person = PERSON(4);
        for (const name of ["first_name", "last_name", "phone"]) {
            await tabTo("#fdw-" + name);
            await page.keyboard.type(person[name]);
        }
        await shot(page, "keyboard_only", "details");
        await press("button[type=submit]");
        await waitStep(page, "confirm");
        assert(await focused("button.primary"), "focus lands on Confirm");
        await page.keyboard.press("Enter");
        await waitStep(page, "done");
        await tabTo("a.ics");
        await shot(page, "keyboard_only", "done");
        const live = await inWidget(page, "return r.querySelector('[aria-live=polite]').textContent;");
        assert(/booked/.test(live), "the live region announced the booking: " + live);
        await page.close();
    },

    async viewports(browser) {
        for (const [width, height] of [[ 360, 740 ], [ 1280, 900 ]]) {
            const page = await browser.newPage();
            await page.setViewport({width, height});
            await page.goto(FD + "/widget/demo");
            await toTimes(page, "viewport-" + width, "anyone");
            const fit = await page.evaluate((root) => ({
                                                page : document.scrollingElement.scrollWidth,
                                                panel : document.querySelector(root).getBoundingClientRect().right,
                                            }),
                                            ROOT);
            assert(fit.page <= width && fit.panel <= width,
                   width + " px: nothing wider than the screen " + JSON.stringify(fit));
            const smallest = await inWidget(page, "return Math.min(...[...r.querySelectorAll('button')]" +
                                                      ".filter(b => b.offsetParent).map(b => b.offsetHeight));");
            assert(smallest >= 44, "touch targets at least 44 px high, got " + smallest);
            await page.close();
        }
    },
};

(async () => {
    const browser = await puppeteer.launch({
        executablePath : env("CHROMIUM"),
        headless : true,
        args : [ "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=en-AU" ],
    });
    let passed = 0, failed = 0;
    const only = process.argv.slice(2);
    try {
        for (const [name, run] of Object.entries(scenarios)) {
            if (only.length && !only.includes(name)) continue;
            const t0 = Date.now();
            try {
                await run(browser);
                passed++;
                console.log("ok   " + name + " (" + (Date.now() - t0) + " ms)");
            } catch (e) {
                failed++;
                console.log("FAIL " + name + ": " + (e && e.stack || e));
            }
        }
    } finally {
        await browser.close();
    }
    console.log(passed + " passed, " + failed + " failed");
    process.exit(failed ? 1 : 0);
})();
