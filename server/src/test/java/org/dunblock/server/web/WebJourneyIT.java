package org.dunblock.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.List;
import org.dunblock.server.keys.KeyRegistry;
import org.dunblock.server.keys.Role;
import org.dunblock.server.testing.Browser;
import org.dunblock.server.testing.ForwardingProxy;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The whole story in a real browser: a number looks fine, five victims on five networks report it through the
 * report page (each through its own loopback proxy playing the load balancer, so the server sees five networks;
 * each browser keeps the reporter token it was given a week ago, so these are established reporters, and five of
 * them are a BLOCK quorum by the trust rules),
 * the public page says BLOCK, the owner appeals, an operator signs in to the dashboard, sees the figures and
 * allows the appeal, and the public page says ALLOW again. Screenshots of every page go to target/screenshots/.
 */
class WebJourneyIT {
  static final String NUMBER = "+8613800138000";
  static final List<String> NETWORKS = List.of("203.0.113.7", "198.51.100.7", "192.0.2.7", "100.64.1.7", "100.64.2.7");

  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  static final Browser browser = Browser.headless("en-US,en");
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis);

  @Test
  void victimsBlockANumberTheOwnerAppealsAndTheOperatorLiftsIt() {
    browser.open(app.baseUrl() + "/?number=138-0013-8000");
    browser.waitText("#verdict-code", "ALLOW");
    assertEquals(NUMBER, browser.find("#result-number").getText());
    browser.waitText("#advice", "Nobody has reported this number");
    browser.screenshot("lookup-allow");

    for (int i = 0; i < NETWORKS.size(); i++) {
      try (ForwardingProxy network = ForwardingProxy.start(app.server().vertx(), app.server().port(),
          NETWORKS.get(i))) {
        browser.open(network.url() + "/report");
        browser.script("localStorage.setItem('dunblock.reporterToken', arguments[0]);", TestTokens.established());
        browser.open(network.url() + "/report?number=138%200013%208000");
        new Select(browser.find("#category")).selectByValue("CONTACT_HARASSMENT");
        browser.type("#platform", "Quick Cash");
        browser.type("#note", "Calls my mother every day");
        browser.find("#report-form button[type=submit]").click();
        browser.waitText("#report-done-text", "Your report about " + NUMBER + " was received");
        if (i == 0) {
          browser.screenshot("report");
        }
      }
    }

    browser.open(app.baseUrl() + "/?number=13800138000");
    browser.waitText("#verdict-code", "BLOCK");
    assertTrue(browser.find("#verdict-text").getText().contains("We recommend blocking it"));
    String reasons = browser.find("#reasons").getText();
    assertTrue(reasons.contains("People reported it") && reasons.contains("address book explosion"), reasons);
    assertEquals("Harassing a borrower\u2019s contacts: 5", browser.find("#categories").getText());
    assertEquals("quick cash (5)", browser.find("#platforms").getText());
    assertEquals("5", browser.find("#fact-networks").getText());
    browser.waitShown("#chart svg");
    assertEquals("Reported calls per day, last 30 days: 5 in all",
        browser.find("#chart svg").getAttribute("aria-label"));
    assertEquals(30, browser.all("#chart rect.bar").size());
    assertTrue(browser.find("#advice").getText().contains("Block the number"));
    browser.screenshot("lookup-block");

    browser.find("#appeal-link").click();
    browser.waitShown("#appeal-form");
    assertEquals(NUMBER, browser.find("#number").getAttribute("value"));
    browser.type("#contact", "owner@example.com");
    browser.type("#reason", "This is my shop's line, not a collector");
    browser.find("#appeal-form button[type=submit]").click();
    browser.waitText("#appeal-done-text", "Your appeal was received");
    browser.screenshot("appeal");

    String operatorKey = new KeyRegistry(redis.commands(), Clock.systemUTC())
        .create(Role.OPERATOR, "web journey", "test").secret();
    browser.open(app.baseUrl() + "/dashboard");
    browser.type("#key", operatorKey);
    browser.find("#login-form button[type=submit]").click();
    browser.waitShown("#board");
    browser.waitText("#fig-reports24", "5");
    assertEquals("1", browser.find("#fig-blocked").getText());
    assertTrue(browser.find("#top-numbers").getText().contains(NUMBER), browser.find("#top-numbers").getText());
    assertTrue(browser.find("#top-platforms").getText().contains("quick cash"));
    assertTrue(browser.find("#alerts").getText().contains(NUMBER), browser.find("#alerts").getText());
    assertEquals(60, browser.all("#chart-reports rect.bar").size());
    assertTrue(Long.parseLong(browser.find("#fig-lookups").getText()) >= 1, "lookups in the last minute");
    WebElement appeal = browser.waitShown("tr[data-appeal]");
    assertTrue(appeal.getText().contains(NUMBER) && appeal.getText().contains("This is my shop's line"),
        appeal.getText());
    browser.screenshot("dashboard");

    appeal.findElement(By.cssSelector("input")).sendKeys("Checked the business licence");
    appeal.findElement(By.cssSelector(".decide-allow")).click();
    browser.waitText("#appeal-status", "allowed");
    browser.waitText("#appeals", "No appeals are waiting.");

    browser.open(app.baseUrl() + "/?number=%2B8613800138000");
    browser.waitText("#verdict-code", "ALLOW");
    assertTrue(browser.find("#reasons").getText().contains("Our operators checked this number"));
    browser.screenshot("lookup-after-appeal");
  }
}
