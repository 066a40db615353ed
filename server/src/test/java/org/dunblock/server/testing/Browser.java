package org.dunblock.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.slf4j.LoggerFactory;

/**
 * Debian's headless Chromium driven through Debian's chromedriver, one per test class:
 * {@code @RegisterExtension static final Browser browser = Browser.headless("en-US,en");}. Nothing is downloaded:
 * the driver and browser paths are given, so Selenium Manager is never asked. Without them the class is skipped
 * with a message, except under {@code CI=true}, where it fails (.ci/run installs both). Screenshots go to
 * {@code target/screenshots/} (build output).
 */
public final class Browser implements BeforeAllCallback, AfterAllCallback {
  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  static final Duration WAIT = Duration.ofSeconds(10);

  private final String languages;
  private ChromeDriverService service;
  private ChromeDriver driver;
  private Path profile;

  private Browser(String languages) {
    this.languages = languages;
  }

  /** A browser whose preferred languages (navigator.languages, Accept-Language) are the given list. */
  public static Browser headless(String languages) {
    return new Browser(languages);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      String message = "Browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
          + " (Debian packages chromium and chromium-driver; .ci/run installs them)";
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(message);
      }
      // An aborted class shows as "Tests run: 0" in the build summary: say why, where it is seen.
      LoggerFactory.getLogger(Browser.class).warn("{}: skipped outside CI", message);
      Assumptions.abort(message + ": skipped outside CI");
    }
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    profile = Files.createTempDirectory("dunblock-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=" + languages.split(",")[0],
        "--user-data-dir=" + profile);
    options.setExperimentalOption("prefs", Map.of("intl.accept_languages", languages));
    service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    driver = new ChromeDriver(service, options);
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (driver != null) {
      driver.quit();
    }
    if (service != null) {
      service.stop();
    }
    if (profile != null) {
      TempDirs.delete(profile);
    }
  }

  public WebDriver driver() {
    return driver;
  }

  public void open(String url) {
    driver.get(url);
  }

  public WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  public List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  public Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  /** Waits until the element exists, is shown and its text contains the given text. */
  public WebElement waitText(String css, String text) {
    Conditions.waitUntil(css + " shows '" + text + "'", WAIT, () -> {
      List<WebElement> found = all(css);
      return !found.isEmpty() && found.get(0).isDisplayed() && found.get(0).getText().contains(text);
    });
    return find(css);
  }

  public WebElement waitShown(String css) {
    Conditions.waitUntil(css + " shown", WAIT, () -> {
      List<WebElement> found = all(css);
      return !found.isEmpty() && found.get(0).isDisplayed();
    });
    return find(css);
  }

  /** Replaces a field's text by typing, as a user would. */
  public void type(String css, String text) {
    WebElement field = find(css);
    field.clear();
    field.sendKeys(text);
  }

  /** The whole page (the window grows to the page's height for the shot, at most 4000 pixels), as name.png. */
  public void screenshot(String name) {
    Dimension window = driver.manage().window().getSize();
    long height = (Long) script("return document.documentElement.scrollHeight;");
    driver.manage().window().setSize(new Dimension(window.getWidth(), (int) Math.min(4000, Math.max(height,
        window.getHeight()))));
    try {
      Files.createDirectories(SCREENSHOTS);
      Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      driver.manage().window().setSize(window);
    }
  }

  /** Whether any page script set window[name] (what an injected script would do). */
  public boolean windowFlagSet(String name) {
    return Boolean.TRUE.equals(script("return window[arguments[0]] !== undefined;", name));
  }
}
