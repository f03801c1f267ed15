#!/usr/bin/env bash
# Builds the aws-cdk-lib bindings that a language registry does not carry yet at the library's floor
# ($CDK_FLOOR), from the npm registry's aws-cdk-lib of that version (node_modules/aws-cdk-lib) with
# jsii-pacmak, the tool AWS publishes them with. A registry that has the floor is used as is: this
# script then builds nothing for that language.
#
#   python: a wheel in test/.tmp/registry-gaps/python (pip --find-links)
#   java:   aws-cdk-lib (and the cloud-assembly-schema it needs) installed into test/.tmp/maven-repo,
#           the Maven local repository of the Java build and consumer
#
# Usage: registry-gaps.sh python|java   (run from the project root, by `npx projen consumer:*`)
set -euo pipefail
: "${CDK_FLOOR:?}"
language=$1
root=$PWD
gaps=$root/test/.tmp/registry-gaps
maven_repo=$root/test/.tmp/maven-repo

installed_cdk=$(node -p "require('aws-cdk-lib/package.json').version")
if [ "$installed_cdk" != "$CDK_FLOOR" ]; then
  echo "node_modules/aws-cdk-lib is $installed_cdk, not the floor $CDK_FLOOR: run npm ci" >&2
  exit 1
fi

case $language in
  python)
    if python3 -m pip index versions aws-cdk-lib 2>/dev/null | grep -qw -- "$CDK_FLOOR"; then
      echo "registry-gaps: the Python registry has aws-cdk-lib $CDK_FLOOR"
      exit 0
    fi
    if compgen -G "$gaps/python/aws_cdk_lib-$CDK_FLOOR-*.whl" >/dev/null; then
      echo "registry-gaps: aws-cdk-lib $CDK_FLOOR wheel already built in $gaps/python"
      exit 0
    fi
    echo "registry-gaps: the Python registry has no aws-cdk-lib $CDK_FLOOR; building its wheel from the npm package"
    jsii-pacmak --target python --outdir "$gaps" node_modules/aws-cdk-lib
    ;;
  java)
    # Asks the Maven registry for one POM; a miss is "not there yet".
    maven_has() {
      mvn -B -q dependency:get -Dmaven.repo.local="$maven_repo" -Dtransitive=false -Dartifact="$1:pom" >/dev/null 2>&1
    }
    build_into_maven_repo() { # <npm package dir> <groupId:artifactId:version>
      if [ -f "$maven_repo/$(echo "$2" | awk -F: '{gsub(/\./, "/", $1); print $1 "/" $2 "/" $3 "/" $2 "-" $3 ".jar"}')" ]; then
        echo "registry-gaps: $2 already in $maven_repo"
        return
      fi
      if maven_has "$2"; then
        echo "registry-gaps: the Maven registry has $2"
        return
      fi
      echo "registry-gaps: the Maven registry has no $2; building it from $1"
      rm -rf "$gaps/java-src"
      jsii-pacmak --code-only --target java --outdir "$gaps/java-src" "$1"
      # Compiled and installed only: no javadoc or sources jar, nothing here is published.
      (cd "$gaps/java-src/java" && mvn -B -q install -Dmaven.repo.local="$maven_repo" \
        -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -DskipTests)
    }
    schema_dir=$(node -p "require('path').dirname(require.resolve('@aws-cdk/cloud-assembly-schema/package.json', { paths: [require.resolve('aws-cdk-lib')] }))")
    schema_version=$(node -p "require('$schema_dir/package.json').version")
    build_into_maven_repo "$schema_dir" "software.amazon.awscdk:cdk-cloud-assembly-schema:$schema_version"
    build_into_maven_repo node_modules/aws-cdk-lib "software.amazon.awscdk:aws-cdk-lib:$CDK_FLOOR"
    ;;
  *)
    echo "usage: registry-gaps.sh python|java" >&2
    exit 2
    ;;
esac
