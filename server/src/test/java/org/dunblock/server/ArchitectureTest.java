package org.dunblock.server;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server's layering (docs/architecture.md), checked on the compiled classes: features use the toolkits, never the
 * reverse; no two packages depend on each other, however indirectly; the composition root and the route table sit
 * on top, and HTTP types stay at the edge.
 */
class ArchitectureTest {
  static final String ROOT = "org.dunblock.server";
  /** The packages every feature may use; they use only each other (and libraries). */
  static final String[] TOOLKITS = {ROOT + ".http..", ROOT + ".store..", ROOT + ".number..", ROOT + ".config..",
      ROOT + ".net.."};
  /** Below the HTTP edge: these know nothing of requests, routes or status codes. */
  static final String[] BELOW_THE_EDGE = {ROOT + ".store..", ROOT + ".number..", ROOT + ".config..", ROOT + ".net..",
      ROOT + ".reputation..", ROOT + ".filter.."};

  private static JavaClasses server;

  @BeforeAll
  static void importServerClasses() {
    server = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages(ROOT);
  }

  @Test
  void packagesAreFreeOfCycles() {
    slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(server);
  }

  @Test
  void toolkitsImportNoFeature() {
    classes().that().resideInAnyPackage(TOOLKITS)
        .should().onlyDependOnClassesThat(resideOutsideOfPackage(ROOT + "..").or(resideInAnyPackage(TOOLKITS)))
        .check(server);
  }

  @Test
  void nothingDependsOnTheCompositionRoot() {
    noClasses().that(not(com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage(ROOT)))
        .should().dependOnClassesThat().resideInAPackage(ROOT)
        .check(server);
  }

  @Test
  void httpTypesStayAtTheEdge() {
    noClasses().that().resideInAnyPackage(BELOW_THE_EDGE)
        .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".http..", "io.vertx.ext.web..")
        .check(server);
  }
}
