"""End-to-end suite: the built `hostico` binary, served on 127.0.0.1, driven by headless Chromium (Selenium).

Run by scripts/e2e.sh, which seeds the demo company, creates a staff account and starts the server. Every step
asserts what a person sees on the page; a screenshot of each main page is written to $E2E_ARTIFACTS.
"""
import os, sys, time, re
import pyotp
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait, Select
from selenium.webdriver.support import expected_conditions as EC
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

BASE = os.environ["E2E_BASE_URL"]
SHOTS = os.environ["E2E_ARTIFACTS"]
STAFF_EMAIL, STAFF_PASSWORD = os.environ["E2E_STAFF_EMAIL"], os.environ["E2E_STAFF_PASSWORD"]
os.makedirs(SHOTS, exist_ok=True)


def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,900", "--lang=en-US"):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=opts)
    d.implicitly_wait(3)
    return d


def text(d):
    """The visible text of the page's main region; retried while a navigation replaces the page (Chromium then
    reports either a stale element or a node that "does not belong to the document")."""
    for _ in range(20):
        try:
            return d.find_element(By.TAG_NAME, "main").text
        except WebDriverException:
            time.sleep(0.1)
    return d.find_element(By.TAG_NAME, "main").text


def navigate(d, el):
    """Click a link or submit button and return once the next page has replaced this one, so that no later
    lookup can land on the page being torn down."""
    old = d.find_element(By.TAG_NAME, "html")
    el.click()
    WebDriverWait(d, 10).until(EC.staleness_of(old))
    WebDriverWait(d, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")


def shot(d, name):
    d.save_screenshot(os.path.join(SHOTS, name + ".png"))


def fill(d, values):
    for name, value in values.items():
        el = d.find_element(By.NAME, name)
        if el.tag_name == "select":
            Select(el).select_by_value(value)
        else:
            el.clear()
            el.send_keys(value)


def submit(d, label):
    navigate(d, d.find_element(By.XPATH, f"//main//button[normalize-space()='{label}']"))


def log_in(d, email, password, base="", code_for=None):
    d.get(BASE + base + "/login?lang=en")
    fill(d, {"email": email, "password": password})
    submit(d, "Log in")
    if code_for is not None:
        WebDriverWait(d, 5).until(lambda d: "/login/code" in d.current_url)
        fill(d, {"code": code_for()})
        submit(d, "Continue")
    WebDriverWait(d, 5).until(lambda d: "/login" not in d.current_url)


def log_out(d):
    navigate(d, d.find_element(By.XPATH, "//nav//button[normalize-space()='Log out']"))
    WebDriverWait(d, 5).until(lambda d: "/login" in d.current_url)


def fresh_code(secret, last=[None]):
    """A TOTP code the server has not seen yet: a code is accepted once, so wait for the next step if needed."""
    totp = pyotp.TOTP(secret)
    while totp.now() == last[0]:
        time.sleep(1)
    last[0] = totp.now()
    return last[0]


steps = []


def step(name):
    def wrap(f):
        steps.append((name, f))
        return f
    return wrap


@step("sign up with SMS unchecked, then tick it in My Details")
def signup(d):
    d.get(BASE + "/signup?lang=en")
    shot(d, "01-signup")
    assert not d.find_element(By.NAME, "smsOptIn").is_selected(), "the SMS box must start unchecked"
    fill(d, {"email": "e2e.client@example.ro", "password": "e2e password 123", "phone": "0744111222", "language": "en",
             "p_kind": "person", "p_name": "Elena Ștefănescu", "p_street": "Str. Lungă 3", "p_city": "Brașov", "p_county": "BV",
             "p_postalCode": "500035", "p_country": "RO"})
    submit(d, "Create the account")
    WebDriverWait(d, 5).until(lambda d: d.current_url.endswith("/services"))
    assert "Welcome to Hostico" in text(d)
    d.get(BASE + "/details")
    box = d.find_element(By.NAME, "smsOptIn")
    assert not box.is_selected()
    box.click()
    submit(d, "Save")
    WebDriverWait(d, 5, ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: "Saved." in text(d))
    assert d.find_element(By.NAME, "smsOptIn").is_selected()
    assert "my-details" in text(d), text(d)
    shot(d, "02-my-details")


@step("turn on 2FA with a code from pyotp, then log in with it")
def two_factor(d):
    d.get(BASE + "/security")
    shot(d, "03-security")
    navigate(d, d.find_element(By.LINK_TEXT, "Turn on two-factor authentication"))
    assert d.find_element(By.CSS_SELECTOR, "figure.qr svg").is_displayed()
    secret = d.find_element(By.ID, "totp-secret").text
    shot(d, "04-2fa-setup")
    fill(d, {"code": fresh_code(secret)})
    submit(d, "Continue")
    codes = [c.text for c in d.find_elements(By.CSS_SELECTOR, "#recovery-codes code")]
    assert len(codes) == 10, codes
    shot(d, "05-recovery-codes")
    navigate(d, d.find_element(By.LINK_TEXT, "Done"))
    assert "Two-factor authentication is on." in text(d)
    log_out(d)
    log_in(d, "e2e.client@example.ro", "e2e password 123", code_for=lambda: fresh_code(secret))
    WebDriverWait(d, 5).until(lambda d: d.current_url.endswith("/services"))
    assert "My Services" in text(d)
    log_out(d)


@step("view an unpaid invoice, edit it from person to company and back, and see VAT change")
def edit_proforma(d):
    log_in(d, "ion.ionescu@example.ro", "demo-password-4")
    d.get(BASE + "/invoices")
    shot(d, "06-my-invoices")
    edit_links = d.find_elements(By.CSS_SELECTOR, "a.edit")
    assert edit_links, "an unpaid proforma offers the edit link"
    row = edit_links[0].find_element(By.XPATH, "./ancestor::tr")
    number = row.get_attribute("data-number")
    navigate(d, row.find_element(By.TAG_NAME, "th").find_element(By.TAG_NAME, "a"))
    page = text(d)
    assert number in page and "VAT 21.00 %" in page, page
    shot(d, "07-proforma")
    total_before = d.find_element(By.CSS_SELECTOR, "td.total").text
    navigate(d, d.find_element(By.CSS_SELECTOR, "a.button.edit"))
    d.find_element(By.ID, "pr-new").click()
    fill(d, {"p_kind": "legal_entity", "p_name": "Ionescu Media GmbH", "p_street": "Hauptstraße 9", "p_city": "Berlin", "p_county": "",
             "p_postalCode": "10115", "p_country": "DE", "p_vatNumber": "DE123456789", "p_cnp": ""})
    submit(d, "Show the new totals")
    preview = d.find_element(By.CSS_SELECTOR, "section.preview").text
    assert "Taxare inversă" in preview and "Reverse charge" in preview, preview
    shot(d, "08-edit-preview")
    submit(d, "Confirm the change")
    WebDriverWait(d, 5, ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: "The billing data are changed." in text(d))
    page = text(d)
    assert "Ionescu Media GmbH" in page and "Taxare inversă" in page
    total_company = d.find_element(By.CSS_SELECTOR, "td.total").text
    assert total_company != total_before, (total_company, total_before)
    # Back to the stored person profile.
    navigate(d, d.find_element(By.CSS_SELECTOR, "a.button.edit"))
    d.find_element(By.CSS_SELECTOR, "input[type=radio][value^='profile:']").click()
    submit(d, "Show the new totals")
    submit(d, "Confirm the change")
    WebDriverWait(d, 5, ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: "The billing data are changed." in text(d))
    assert d.find_element(By.CSS_SELECTOR, "td.total").text == total_before
    assert "Ion Ionescu" in text(d)
    global ION_PROFORMA_URL
    ION_PROFORMA_URL = d.current_url
    log_out(d)


@step("a fiscal invoice shows no edit control")
def fiscal_no_edit(d):
    log_in(d, "ana.popescu@example.ro", "demo-password-0")
    d.get(BASE + "/invoices")
    fiscal_rows = [r for r in d.find_elements(By.CSS_SELECTOR, "tr.invoice") if r.get_attribute("data-number").startswith("HST")]
    assert fiscal_rows, "Ana has paid invoices"
    assert not fiscal_rows[0].find_elements(By.CSS_SELECTOR, "a.edit")
    navigate(d, fiscal_rows[0].find_element(By.TAG_NAME, "a"))
    page = text(d)
    assert "cannot be changed" in page and not d.find_elements(By.CSS_SELECTOR, "a.edit"), page
    shot(d, "09-fiscal-invoice")


@step("a second client cannot open the first client's invoice")
def isolation(d):
    d.get(ION_PROFORMA_URL)  # still logged in as Ana
    assert "This page does not exist." in text(d), text(d)
    log_out(d)


@step("staff set up 2FA, suspend a service for abuse, and the client sees why")
def staff_abuse(d):
    d.get(BASE + "/staff/login")
    fill(d, {"email": STAFF_EMAIL, "password": STAFF_PASSWORD})
    submit(d, "Log in")
    WebDriverWait(d, 5).until(lambda d: "/staff/security/2fa" in d.current_url)
    secret = d.find_element(By.ID, "totp-secret").text
    fill(d, {"code": fresh_code(secret)})
    submit(d, "Continue")
    navigate(d, d.find_element(By.LINK_TEXT, "Done"))
    d.get(BASE + "/staff?q=priya")
    shot(d, "10-staff-search")
    navigate(d, d.find_element(By.PARTIAL_LINK_TEXT, "priya.sharma@example.in"))
    shot(d, "11-staff-client")
    row = d.find_element(By.CSS_SELECTOR, "tr.service")
    Select(row.find_element(By.NAME, "reason")).select_by_value("abuse")
    row.find_element(By.NAME, "note").send_keys("Spam campaign from this account")
    navigate(d, row.find_element(By.XPATH, ".//button[normalize-space()='Suspend']"))
    WebDriverWait(d, 5, ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: "abuse by staff" in text(d))
    log_out(d)
    log_in(d, "priya.sharma@example.in", "demo-password-3")
    d.get(BASE + "/services?lang=en")
    page = text(d)
    assert "Suspended for abuse of the terms of service" in page, page
    shot(d, "12-client-sees-abuse")
    d.get(BASE + "/services?lang=hi")
    assert "निलंबित" in text(d)
    shot(d, "13-services-hindi")


def main():
    d = browser()
    failures = 0
    try:
        for name, f in steps:
            t0 = time.time()
            try:
                f(d)
                print(f"ok   {name} ({time.time() - t0:.1f}s)")
            except Exception as e:  # report every step, fail at the end
                failures += 1
                shot(d, "FAILED-" + re.sub(r"\W+", "-", name)[:40])
                print(f"FAIL {name}: {type(e).__name__}: {e}\n     at {d.current_url}")
                break
    finally:
        d.quit()
    print(f"{len(steps) - failures} of {len(steps)} steps passed; screenshots in {SHOTS}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
