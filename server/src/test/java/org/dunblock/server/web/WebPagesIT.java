package org.dunblock.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.regex.Pattern;
import org.dunblock.server.keys.KeyRegistry;
import org.dunblock.server.keys.Role;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.Browser;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.support.ui.Select;

/**
 * The pages in a browser whose preferred language is Chinese: language choice, text users typed shown as text and
 * never run, errors next to their fields, keyboard use on a phone-sized screen; and the pages' headers.
 */
class WebPagesIT {
  static final List<String> PAGES = List.of("/", "/report", "/appeal", "/dashboard");
  static final Pattern INLINE_SCRIPT = Pattern.compile("<script(?![^>]*\\ssrc=)[^>]*>", Pattern.CASE_INSENSITIVE);

  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  static final Browser browser = Browser.headless("zh-CN,zh");
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis);

  @Test
  void pagesSpeakTheBrowsersLanguageAndTheVisitorCanSwitch() {
    browser.open(app.baseUrl() + "/");
    browser.waitText("h1", "是谁在给我打电话？");
    assertEquals("zh-CN", browser.script("return document.documentElement.lang;"));
    assertEquals("查询号码 — Dunblock", browser.driver().getTitle());
    browser.screenshot("lookup-zh");

    browser.find("#lang-switch").click();
    browser.waitText("h1", "Who is calling me?");
    assertEquals("en", browser.script("return document.documentElement.lang;"));
    // The choice is kept for the next page.
    browser.open(app.baseUrl() + "/report");
    browser.waitText("h1", "Report a number");
    browser.find("#lang-switch").click();
    browser.waitText("h1", "举报号码");
  }

  @Test
  void whatUsersTypedIsShownLiterallyAndNeverRuns() {
    String platform = "<img src=x onerror=\"window.__xss='platform'\">";
    String reason = "<img src=x onerror=\"window.__xss='reason'\"> not a collector";
    String contact = "<script>window.__xss='contact'</script>";

    // An established reporter (a token kept from a week ago): one THREAT report from it makes the number WARN, so
    // the owner has something to appeal. A token minted now would weigh too little to warn (the trust rules).
    browser.open(app.baseUrl() + "/report");
    browser.script("localStorage.setItem('dunblock.reporterToken', arguments[0]);", TestTokens.established());
    browser.open(app.baseUrl() + "/report?number=13900139000");
    browser.waitShown("#report-form");
    new Select(browser.find("#category")).selectByValue("THREAT");
    browser.type("#platform", platform);
    browser.type("#note", "<script>window.__xss='note'</script>");
    browser.find("#report-form button[type=submit]").click();
    browser.waitText("#report-done-text", "+8613900139000");

    browser.open(app.baseUrl() + "/?number=13900139000");
    browser.waitText("#verdict-code", "WARN");
    assertEquals(platform + " (1)", browser.find("#platforms li").getText());
    assertTrue(browser.all("#result img, #result script").isEmpty(), "no element made from the platform's text");
    assertFalse(browser.windowFlagSet("__xss"), "a script from the platform's text ran");

    browser.find("#appeal-link").click();
    browser.waitShown("#appeal-form");
    browser.type("#contact", contact);
    browser.type("#reason", reason);
    browser.find("#appeal-form button[type=submit]").click();
    browser.waitShown("#appeal-done-text");
    // A second appeal about the number joins the first; its statement is shown on the dashboard as typed too.
    String joined = "<img src=x onerror=\"window.__xss='joined'\"> me too";
    assertEquals(202, app.api().post("/v1/appeals", new io.vertx.core.json.JsonObject().put("number", "13900139000")
        .put("contact", contact).put("reason", joined).encode(), "Content-Type", "application/json",
        "X-Forwarded-For", "203.0.113.50").statusCode());

    String key = new KeyRegistry(redis.commands(), Clock.systemUTC()).create(Role.OPERATOR, "web", "test").secret();
    browser.open(app.baseUrl() + "/dashboard");
    browser.type("#key", key);
    browser.find("#login-form button[type=submit]").click();
    browser.waitShown("tr[data-appeal]");
    assertEquals(reason, browser.find("tr[data-appeal] .appeal-reason").getText());
    browser.waitText("tr.appeal-statement", joined);
    assertTrue(browser.find("tr[data-appeal]").getText().contains(contact));
    browser.waitText("#top-platforms", platform);
    assertTrue(browser.all("#board img, #board script").isEmpty(), "no element made from typed text");
    assertFalse(browser.windowFlagSet("__xss"), "a script from typed text ran");
    browser.screenshot("dashboard-escaping");
  }

  @Test
  void aFirstTimeReporterGetsATokenAndOneFreshReportDoesNotWarnAlone() {
    browser.open(app.baseUrl() + "/report");
    browser.script("localStorage.removeItem('dunblock.reporterToken');");
    browser.open(app.baseUrl() + "/report?number=13600136000");
    browser.waitShown("#report-form");
    new Select(browser.find("#category")).selectByValue("THREAT");
    browser.find("#report-form button[type=submit]").click();
    browser.waitText("#report-done-text", "+8613600136000");
    Object token = browser.script("return localStorage.getItem('dunblock.reporterToken');");
    assertTrue(token instanceof String t && t.startsWith("dbr_"), "the page keeps the token it was given: " + token);

    // A token minted a moment ago weighs a fraction of an established one: its report is counted and shown,
    // but a single fresh voice cannot make the number WARN (docs/trust.md).
    browser.open(app.baseUrl() + "/?number=13600136000");
    browser.waitText("#verdict-code", "ALLOW");
    assertEquals("1", browser.find("#fact-reports").getText());
  }

  @Test
  void errorsAppearNextToTheFieldThatCausedThem() {
    browser.open(app.baseUrl() + "/report");
    browser.waitShown("#report-form");
    browser.find("#report-form button[type=submit]").click();
    browser.waitText("#number-error", "请输入电话号码。");
    assertEquals("请选择发生了什么。", browser.find("#category-error").getText());
    assertEquals("true", browser.find("#number").getAttribute("aria-invalid"));
    assertEquals("number", browser.script("return document.activeElement.id;"));

    browser.type("#number", "12");
    new Select(browser.find("#category")).selectByValue("FRAUD");
    browser.find("#report-form button[type=submit]").click();
    browser.waitText("#number-error", "无法识别这个号码");
    assertFalse(browser.find("#category-error").isDisplayed());
    browser.screenshot("report-errors-zh");

    // An appeal about a number nobody reported: nothing to appeal, said next to the number.
    browser.open(app.baseUrl() + "/appeal?number=13700137000");
    browser.waitShown("#appeal-form");
    browser.type("#contact", "owner@example.com");
    browser.type("#reason", "my number");
    browser.find("#appeal-form button[type=submit]").click();
    browser.waitText("#number-error", "无需申诉");
    assertFalse(browser.find("#appeal-done").isDisplayed());
  }

  @Test
  void aKeyboardAloneLooksUpANumberOnAPhoneSizedScreen() {
    Dimension desktop = browser.driver().manage().window().getSize();
    browser.driver().manage().window().setSize(new Dimension(390, 844));
    try {
      for (String page : PAGES) {
        browser.open(app.baseUrl() + page);
        browser.waitShown("h1");
        assertEquals(Boolean.TRUE, browser.script(
            "return document.documentElement.scrollWidth <= document.documentElement.clientWidth;"),
            page + " scrolls sideways on a phone");
      }
      browser.open(app.baseUrl() + "/");
      browser.waitShown("#number");
      browser.find("#number").sendKeys("137 0013 7000", Keys.ENTER);
      browser.waitText("#verdict-code", "ALLOW");
      assertEquals("+8613700137000", browser.find("#result-number").getText());
      browser.screenshot("lookup-phone-zh");
    } finally {
      browser.driver().manage().window().setSize(desktop);
    }
  }

  @Test
  void pagesAndAssetsCarryTheirSecurityAndCachingHeaders() {
    Api api = app.api();
    for (String page : PAGES) {
      HttpResponse<Buffer> response = api.get(page);
      assertEquals(200, response.statusCode(), page);
      assertTrue(response.getHeader("Content-Type").startsWith("text/html"), page);
      String csp = response.getHeader("Content-Security-Policy");
      assertTrue(csp.contains("script-src 'self';") && !csp.contains("unsafe-inline"), page + ": " + csp);
      assertEquals("no-cache", response.getHeader("Cache-Control"), page);
      assertEquals("nosniff", response.getHeader("X-Content-Type-Options"), page);
      assertFalse(INLINE_SCRIPT.matcher(response.bodyAsString()).find(), page + " has an inline script");
    }
    HttpResponse<Buffer> asset = api.get("/static/lookup.js");
    assertEquals(200, asset.statusCode());
    assertTrue(asset.getHeader("Content-Type").startsWith("text/javascript"));
    assertEquals("public, max-age=3600", asset.getHeader("Cache-Control"));
    HttpResponse<Buffer> again = Api.await(api.request(HttpMethod.GET, "/static/lookup.js")
        .putHeader("If-None-Match", asset.getHeader("ETag")).send());
    assertEquals(304, again.statusCode());
    HttpResponse<Buffer> missing = api.get("/static/secret.txt");
    assertEquals(404, missing.statusCode());
    assertEquals("not_found", missing.bodyAsJsonObject().getString("error"));

    HttpResponse<Buffer> history = api.get("/v1/numbers/13700137000/history");
    assertEquals(200, history.statusCode());
    assertEquals("+8613700137000", history.bodyAsJsonObject().getString("number"));
    assertTrue(history.bodyAsJsonObject().getJsonObject("reportsPerDay").isEmpty());
  }
}
