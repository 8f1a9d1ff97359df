#!/usr/bin/env bash
# Debian packages the fast report needs: WeasyPrint draws the PDF with Pango and Times-metric fonts (Liberation);
# the layout tests read it with pdftoppm/pdftotext (poppler-utils) and render the DOCX with LibreOffice (those
# tests are skipped where it is missing). Installs only what is missing, and only as root; cheap when all is there.
set -uo pipefail
have() {
    [ -x /usr/bin/pdftoppm ] && ldconfig -p 2>/dev/null | grep -q libpango-1.0 \
        && fc-list 2>/dev/null | grep -q "Liberation Serif"
}
have && exit 0
if [ "$(id -u)" != "0" ]; then
    echo "note: pango, Liberation fonts or poppler-utils are missing (not root, not installing): the server-side" \
         "PDF of the fast report and its tests need them" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 poppler-utils >/dev/null
apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui >/dev/null \
    || echo "libreoffice-writer-nogui could not be installed: DOCX rendering tests will be skipped" >&2
exit 0
