package io.thinimage.cli;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.thinimage.core.engine.Run;
import io.thinimage.core.engine.RunStatus;
import io.thinimage.core.engine.TransitionRecord;

/**
 * The module graph is the architecture: core knows no adapter, app or infrastructure library;
 * adapter modules do not know each other; the CLI uses core only through its public API, domain and
 * ports. Every rule fails if the classes it is about are missing (ArchUnit's default
 * failOnEmptyShould), so a renamed package cannot make a rule pass vacuously.
 */
@AnalyzeClasses(packages = "io.thinimage", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule coreDependsOnNoAdapterOrApp =
      noClasses()
          .that()
          .resideInAPackage("io.thinimage.core..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.thinimage.adapters..", "io.thinimage.cli..", "io.thinimage.daemon..");

  @ArchTest
  static final ArchRule coreDependsOnNoInfrastructureLibrary =
      noClasses()
          .that()
          .resideInAPackage("io.thinimage.core..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "software.amazon..",
              "java.sql..",
              "javax.sql..",
              "org.sqlite..",
              "com.zaxxer..",
              "org.eclipse.jetty..",
              "picocli..",
              "com.google.inject..",
              "jakarta.inject..",
              "tools.jackson..",
              "com.fasterxml.jackson..",
              "ch.qos.logback..");

  @ArchTest
  static final ArchRule sqliteAdapterKnowsNoOtherAdapter =
      noClasses()
          .that()
          .resideInAPackage("io.thinimage.adapters.sqlite..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.thinimage.adapters.s3..",
              "io.thinimage.adapters.devicemapper..",
              "io.thinimage.adapters.directory..",
              "io.thinimage.adapters.fs..");

  @ArchTest
  static final ArchRule s3AdapterKnowsNoOtherAdapter =
      noClasses()
          .that()
          .resideInAPackage("io.thinimage.adapters.s3..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.thinimage.adapters.sqlite..",
              "io.thinimage.adapters.devicemapper..",
              "io.thinimage.adapters.directory..",
              "io.thinimage.adapters.fs..");

  /** devicemapper, directory and fs are one module (the pool adapters) and may share helpers. */
  @ArchTest
  static final ArchRule poolAdaptersKnowNoOtherAdapter =
      noClasses()
          .that()
          .resideInAnyPackage(
              "io.thinimage.adapters.devicemapper..",
              "io.thinimage.adapters.directory..",
              "io.thinimage.adapters.fs..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.thinimage.adapters.sqlite..", "io.thinimage.adapters.s3..");

  @ArchTest
  static final ArchRule adaptersKnowNoApp =
      noClasses()
          .that()
          .resideInAPackage("io.thinimage.adapters..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.thinimage.cli..", "io.thinimage.daemon..", "io.thinimage.wiring..");

  /**
   * The apps (CLI and daemon) see core through {@code api}, {@code domain} and the ports; {@code
   * Run}, its {@code RunStatus} and {@code TransitionRecord} are part of the API's signatures.
   * Never the engine's machinery, the lifecycle FSMs, the blob store or the layer rules: the wiring
   * module builds the manager, the apps only call it.
   */
  @ArchTest
  static final ArchRule appsUseOnlyThePublicFaceOfCore =
      noClasses()
          .that()
          .resideInAnyPackage("io.thinimage.cli..", "io.thinimage.daemon..")
          .should()
          .dependOnClassesThat(
              resideInAPackage("io.thinimage.core..")
                  .and(
                      not(
                          resideInAnyPackage(
                              "io.thinimage.core.api",
                              "io.thinimage.core.domain",
                              "io.thinimage.core.port")))
                  .and(not(type(Run.class)))
                  .and(not(type(RunStatus.class)))
                  .and(not(type(TransitionRecord.class))));

  /** The apps build managers only through the default module set, never by hand. */
  @ArchTest
  static final ArchRule appsWireThroughTheDefaultModuleSet =
      noClasses()
          .that()
          .resideInAnyPackage("io.thinimage.cli..", "io.thinimage.daemon..")
          .should()
          .callMethod(io.thinimage.core.api.ImageManager.class, "builder");
}
