package io.smsgw.api;

import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Swagger UI as a person uses it, in a real headless Chromium (the system's /usr/bin/chromium and
 * /usr/bin/chromedriver, from Debian's packages; .ci/install-chromium installs them): open /swagger/index.html,
 * Authorize with the demo user's API key, expand POST /send-sms, Try it out, fill in a valid body, Execute, and see
 * the 200 in the page. Skipped, with a message, where Chromium is not installed. Nothing is downloaded: the driver
 * and the browser are given by path, so Selenium Manager is never asked.
 */
@DisplayName("Swagger UI in a real browser: Authorize, Try it out, Execute POST /send-sms → 200")
class SwaggerUiBrowserIT {

  static final Path CHROMIUM = Path.of(System.getProperty("smsgw.test.chromium", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER = Path.of(System.getProperty("smsgw.test.chromedriver", "/usr/bin/chromedriver"));
  static final Duration WAIT = Duration.ofSeconds(30);

  static TestGateway gateway;
  static WebDriver browser;
  static Path profile;

  @BeforeAll
  static void start() throws Exception {
    if (!browserInstalled()) return;  // the test itself is skipped, with the reason
    gateway = TestGateway.start();
    profile = Files.createTempDirectory("smsgw-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // This machine's closed network: no background traffic, no updates, no sync; a fresh profile per run.
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
      "--window-size=1400,2000", "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder()
      .usingDriverExecutable(CHROMEDRIVER.toFile())
      .usingAnyFreePort()
      .build();
    browser = new ChromeDriver(service, options);
  }

  static boolean browserInstalled() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.quit();
    if (gateway != null) {
      gateway.close();
      Db.assertInvariantsHold(TestServices.postgres().url());
    }
    if (profile != null) {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  @DisplayName("the demo user authorizes with X-API-Key and sends an SMS from the page")
  void sendFromSwaggerUi() throws Exception {
    Assumptions.assumeTrue(browserInstalled(),
      "no " + CHROMIUM + " or " + CHROMEDRIVER + ": the Swagger UI browser test is skipped (.ci/install-chromium installs them)");
    JsonObject user = gateway.createUser(1_000);
    WebDriverWait wait = new WebDriverWait(browser, WAIT);
    try {
      browser.get("http://127.0.0.1:" + gateway.config.http().port() + "/swagger/index.html");
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".info .title"), "smsgw"));

      // Authorize: the ApiKeyAuth form of the dialog (the other one is the admin's bearer token)
      click(wait, By.cssSelector(".auth-wrapper button.authorize"));
      WebElement apiKeyForm = wait.until(ExpectedConditions.visibilityOfElementLocated(
        By.xpath("//div[contains(@class,'auth-container')][.//*[contains(text(),'ApiKeyAuth')]]")));
      apiKeyForm.findElement(By.cssSelector("input")).sendKeys(user.getString("api_key"));
      apiKeyForm.findElement(By.cssSelector("button.authorize")).click();
      wait.until(ExpectedConditions.visibilityOfElementLocated(
        By.xpath("//div[contains(@class,'auth-container')][.//*[contains(text(),'ApiKeyAuth')]]//button[normalize-space()='Logout']")));
      click(wait, By.cssSelector(".dialog-ux button.close-modal"));
      wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector(".dialog-ux")));

      // POST /send-sms: expand, Try it out, a valid body, Execute
      By operation = By.id("operations-messages-sendSms");
      click(wait, By.cssSelector("#operations-messages-sendSms .opblock-summary-control"));
      click(wait, By.cssSelector("#operations-messages-sendSms button.try-out__btn"));
      WebElement body = wait.until(ExpectedConditions.visibilityOfElementLocated(
        By.cssSelector("#operations-messages-sendSms textarea.body-param__text")));
      String messageId = UUID.randomUUID().toString();
      String json = new JsonObject().put("message_id", messageId).put("user_id", user.getString("user_id"))
        .put("phone_number", "+14155550100").put("message", "hello from Swagger UI").encodePrettily();
      body.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
      body.sendKeys(json);
      click(wait, By.cssSelector("#operations-messages-sendSms button.execute"));

      WebElement status = wait.until(ExpectedConditions.visibilityOfElementLocated(
        By.cssSelector("#operations-messages-sendSms .live-responses-table .response .response-col_status")));
      assertThat(status.getText().trim()).as("the live response's status in the page").isEqualTo("200");
      String responseBody = browser.findElement(operation).findElement(By.cssSelector(".live-responses-table .response .response-col_description")).getText();
      assertThat(responseBody).contains(messageId).contains("pending");
    } finally {
      screenshot("swagger-ui-send-sms.png");
    }
    // What the page did, the service did: charged once
    assertThat(gateway.balance(user)).isEqualTo(900);
  }

  private static void click(WebDriverWait wait, By locator) {
    WebElement element = wait.until(ExpectedConditions.elementToBeClickable(locator));
    ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView({block: 'center'});", element);
    wait.until(ExpectedConditions.elementToBeClickable(element)).click();
  }

  /** A picture of the page in target/, to see what the browser saw. */
  private static void screenshot(String name) {
    try {
      File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
      Path target = Path.of("tests", "target", name);
      Files.createDirectories(target.getParent());
      Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    } catch (Exception e) {
      // only a diagnostic
    }
  }
}
