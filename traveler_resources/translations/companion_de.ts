<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AwayBanner</name>
    <message>
        <source>I&apos;m back</source>
        <translation>Ich bin zurück</translation>
    </message>
    <message>
        <source>You are out of the office; automatic replies are on.</source>
        <translation>Sie sind abwesend; automatische Antworten sind eingeschaltet.</translation>
    </message>
    <message>
        <source>You are out of the office until %1; automatic replies are on.</source>
        <translation>Sie sind bis %1 abwesend; automatische Antworten sind eingeschaltet.</translation>
    </message>
    <message>
        <source>%1 on %2:</source>
        <translation>%1 auf %2:</translation>
    </message>
    <message>
        <source>(Pending: not yet sent to the server.)</source>
        <translation>(Ausstehend: noch nicht an den Server gesendet.)</translation>
    </message>
</context>
<context>
    <name>AwayWatch</name>
    <message>
        <source>The server cannot be reached: “I&apos;m back” is pending and will be sent at the next contact.</source>
        <translation>Der Server ist nicht erreichbar: „Ich bin zurück“ ist ausstehend und wird beim nächsten Kontakt gesendet.</translation>
    </message>
</context>
<context>
    <name>CompanionTray</name>
    <message>
        <source>Open Traveler Companion</source>
        <translation>Traveler Companion öffnen</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Traveler Companion</source>
        <translation>Traveler Companion</translation>
    </message>
    <message>
        <source>%1: out of the office</source>
        <translation>%1: abwesend</translation>
    </message>
    <message>
        <source>%1: out of the office until %2</source>
        <translation>%1: abwesend bis %2</translation>
    </message>
    <message>
        <source>Automatic replies are off.</source>
        <translation>Automatische Antworten sind ausgeschaltet.</translation>
    </message>
    <message>
        <source>I&apos;m back</source>
        <translation>Ich bin zurück</translation>
    </message>
    <message>
        <source>I&apos;m back (%1)</source>
        <translation>Ich bin zurück (%1)</translation>
    </message>
    <message>
        <source>Out of office</source>
        <translation>Abwesend</translation>
    </message>
</context>
<context>
    <name>CompanionWindow</name>
    <message>
        <source>Traveler Companion</source>
        <translation>Traveler Companion</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>Konten</translation>
    </message>
    <message>
        <source>The ToDo app signs in with the default account; the passwords are in your system keyring.</source>
        <translation>Die ToDo-App meldet sich mit dem Standardkonto an; die Kennwörter liegen im Schlüsselbund Ihres Systems.</translation>
    </message>
    <message>
        <source>No account yet. Add one to sign in to a Traveler server.</source>
        <translation>Noch kein Konto. Fügen Sie eines hinzu, um sich bei einem Traveler-Server anzumelden.</translation>
    </message>
    <message>
        <source>Add account…</source>
        <translation>Konto hinzufügen…</translation>
    </message>
    <message>
        <source>Use for ToDo</source>
        <translation>Für ToDo verwenden</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Out of office…</source>
        <translation>Abwesend…</translation>
    </message>
    <message>
        <source>&amp;Account</source>
        <translation>&amp;Konto</translation>
    </message>
    <message>
        <source>&amp;Add account…</source>
        <translation>Konto &amp;hinzufügen…</translation>
    </message>
    <message>
        <source>&amp;Out of office…</source>
        <translation>&amp;Abwesend…</translation>
    </message>
    <message>
        <source>&amp;Secure attachments…</source>
        <translation>&amp;Geschützte Anhänge…</translation>
    </message>
    <message>
        <source>Open &amp;file…</source>
        <translation>&amp;Datei öffnen…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Something went wrong: %1</source>
        <translation>Etwas ist schiefgegangen: %1</translation>
    </message>
    <message>
        <source> — used by ToDo</source>
        <translation> — von ToDo verwendet</translation>
    </message>
    <message>
        <source>Traveler server %1</source>
        <translation>Traveler-Server %1</translation>
    </message>
    <message>
        <source>SyncML server (todos only)</source>
        <translation>SyncML-Server (nur Aufgaben)</translation>
    </message>
    <message>
        <source>used by ToDo</source>
        <translation>von ToDo verwendet</translation>
    </message>
    <message>
        <source>Signed in as %1 on %2.</source>
        <translation>Angemeldet als %1 bei %2.</translation>
    </message>
    <message>
        <source>Remove account</source>
        <translation>Konto entfernen</translation>
    </message>
    <message>
        <source>Remove this account from both apps? Its todos stay on the server.</source>
        <translation>Dieses Konto aus beiden Apps entfernen? Seine Aufgaben bleiben auf dem Server.</translation>
    </message>
    <message>
        <source>Removed %1.</source>
        <translation>%1 entfernt.</translation>
    </message>
</context>
<context>
    <name>ErrorTexts</name>
    <message>
        <source>Enter the server URL, for example %1.</source>
        <translation>Geben Sie die Server-URL ein, zum Beispiel %1.</translation>
    </message>
    <message>
        <source>Enter your user name.</source>
        <translation>Geben Sie Ihren Benutzernamen ein.</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>Geben Sie Ihr Kennwort ein.</translation>
    </message>
    <message>
        <source>“%1” is not a server URL. Enter the full address, for example %2.</source>
        <translation>„%1“ ist keine Server-URL. Geben Sie die vollständige Adresse ein, zum Beispiel %2.</translation>
    </message>
    <message>
        <source>The server URL must not contain a user name or password; enter them in their own fields.</source>
        <translation>Die Server-URL darf keinen Benutzernamen und kein Kennwort enthalten; geben Sie diese in den eigenen Feldern ein.</translation>
    </message>
    <message>
        <source>The server URL “%1” has a “#” part, which no server reads; leave it out.</source>
        <translation>Die Server-URL „%1“ hat einen „#“-Teil, den kein Server liest; lassen Sie ihn weg.</translation>
    </message>
    <message>
        <source>The port in the server URL “%1” is not valid.</source>
        <translation>Der Port in der Server-URL „%1“ ist ungültig.</translation>
    </message>
    <message>
        <source>Cannot reach the server at %1 (%2). Check the server URL, that the server is running, and your network connection.</source>
        <translation>Der Server %1 ist nicht erreichbar (%2). Prüfen Sie die Server-URL, ob der Server läuft und Ihre Netzwerkverbindung.</translation>
    </message>
    <message>
        <source>The server at %1 did not answer within %2 seconds. It may be overloaded, or a firewall may be dropping the connection; try again later or check the address.</source>
        <translation>Der Server %1 hat nicht innerhalb von %2 Sekunden geantwortet. Vielleicht ist er überlastet, oder eine Firewall verwirft die Verbindung; versuchen Sie es später noch einmal oder prüfen Sie die Adresse.</translation>
    </message>
    <message>
        <source>The server at %1 has a certificate this computer does not trust (%2). Check the address, or install the server&apos;s CA certificate.</source>
        <translation>Der Server %1 hat ein Zertifikat, dem dieser Computer nicht vertraut (%2). Prüfen Sie die Adresse, oder installieren Sie das CA-Zertifikat des Servers.</translation>
    </message>
    <message>
        <source>A secure connection to %1 failed (%2). If the server does not use TLS, the URL must start with http:// rather than https://.</source>
        <translation>Die sichere Verbindung zu %1 ist fehlgeschlagen (%2). Wenn der Server kein TLS verwendet, muss die URL mit http:// statt mit https:// beginnen.</translation>
    </message>
    <message>
        <source>%1 redirects to %2; enter that URL as the server URL instead.</source>
        <translation>%1 leitet auf %2 weiter; geben Sie stattdessen diese URL als Server-URL ein.</translation>
    </message>
    <message>
        <source>%1 is not a SyncML server (it answered %2). Check the server URL: for a Traveler server it is http(s)://HOST:PORT/traveler.</source>
        <translation>%1 ist kein SyncML-Server (Antwort: %2). Prüfen Sie die Server-URL: Bei einem Traveler-Server lautet sie http(s)://HOST:PORT/traveler.</translation>
    </message>
    <message>
        <source>The server at %1 did not accept the user name “%2” with this password. Check both and try again.</source>
        <translation>Der Server %1 hat den Benutzernamen „%2“ mit diesem Kennwort nicht angenommen. Prüfen Sie beides und versuchen Sie es noch einmal.</translation>
    </message>
    <message>
        <source>The server at %1 refuses access for %2; the account may be disabled. Ask your administrator.</source>
        <translation>Der Server %1 verweigert %2 den Zugang; vielleicht ist das Konto gesperrt. Wenden Sie sich an Ihren Administrator.</translation>
    </message>
    <message>
        <source>The server at %1 has revoked this device. Ask your administrator to allow it again.</source>
        <translation>Der Server %1 hat dieses Gerät gesperrt. Bitten Sie Ihren Administrator, es wieder zuzulassen.</translation>
    </message>
    <message>
        <source>The server at %1 refuses sign-ins for now after too many failed ones; try again later, and check the password.</source>
        <translation>Der Server %1 lässt nach zu vielen fehlgeschlagenen Anmeldungen vorerst keine Anmeldung zu; versuchen Sie es später noch einmal, und prüfen Sie das Kennwort.</translation>
    </message>
    <message>
        <source>The server at %1 refuses sign-ins for now after too many failed ones; try again in %2 seconds, and check the password.</source>
        <translation>Der Server %1 lässt nach zu vielen fehlgeschlagenen Anmeldungen vorerst keine Anmeldung zu; versuchen Sie es in %2 Sekunden noch einmal, und prüfen Sie das Kennwort.</translation>
    </message>
    <message>
        <source>The server at %1 is not available right now (%2); try again later, or tell your administrator if it lasts.</source>
        <translation>Der Server %1 ist gerade nicht verfügbar (%2); versuchen Sie es später noch einmal, oder sagen Sie Ihrem Administrator Bescheid, wenn es anhält.</translation>
    </message>
    <message>
        <source>The server at %1 is not available right now (%2); try again in %3 seconds, or tell your administrator if it lasts.</source>
        <translation>Der Server %1 ist gerade nicht verfügbar (%2); versuchen Sie es in %3 Sekunden noch einmal, oder sagen Sie Ihrem Administrator Bescheid, wenn es anhält.</translation>
    </message>
    <message>
        <source>The server at %1 failed, or answered in a way this app cannot use (%2). Try again later or tell your administrator.</source>
        <translation>Beim Server %1 ist ein Fehler aufgetreten, oder seine Antwort ist für diese App unbrauchbar (%2). Versuchen Sie es später noch einmal, oder wenden Sie sich an Ihren Administrator.</translation>
    </message>
    <message>
        <source>The password cannot be kept: this computer has no usable keyring, or it is locked. Nothing was stored. Install and unlock a keyring (GNOME Keyring, KeePassXC or KWallet) and try again.</source>
        <translation>Das Kennwort kann nicht gespeichert werden: Dieser Computer hat keinen nutzbaren Schlüsselbund, oder er ist gesperrt. Es wurde nichts gespeichert. Installieren und entsperren Sie einen Schlüsselbund (GNOME Keyring, KeePassXC oder KWallet), und versuchen Sie es noch einmal.</translation>
    </message>
    <message>
        <source>%1 on %2 is signed in already. To sign in again, remove the account in the Companion first.</source>
        <translation>%1 auf %2 ist bereits angemeldet. Um sich neu anzumelden, entfernen Sie das Konto zuerst in der Companion-App.</translation>
    </message>
    <message>
        <source>The account data on this computer cannot be used (%1).</source>
        <translation>Die Kontodaten auf diesem Computer sind nicht verwendbar (%1).</translation>
    </message>
</context>
<context>
    <name>FindBar</name>
    <message>
        <source>Search</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <source>Previous match</source>
        <translation>Vorheriger Treffer</translation>
    </message>
    <message>
        <source>Next match</source>
        <translation>Nächster Treffer</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <source>This image cannot be shown.</source>
        <translation>Dieses Bild kann nicht angezeigt werden.</translation>
    </message>
</context>
<context>
    <name>InboxWindow</name>
    <message>
        <source>Secure attachments — Traveler Companion</source>
        <translation>Geschützte Anhänge — Traveler Companion</translation>
    </message>
    <message>
        <source>&amp;Account</source>
        <translation>&amp;Konto</translation>
    </message>
    <message>
        <source>&amp;Out of office…</source>
        <translation>&amp;Abwesend…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>Open file…</source>
        <translation>Datei öffnen …</translation>
    </message>
    <message>
        <source>Account:</source>
        <translation>Konto:</translation>
    </message>
    <message>
        <source>Subject / attachment</source>
        <translation>Betreff / Anhang</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Empfangen</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>No account yet: add one with traveler-companion account add.</source>
        <translation>Noch kein Konto: Fügen Sie eines mit traveler-companion account add hinzu.</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen …</translation>
    </message>
    <message>
        <source>(no subject)</source>
        <translation>(kein Betreff)</translation>
    </message>
    <message numerus="yes">
        <source>%n message(s) with attachments</source>
        <translation>
            <numerusform>%n Nachricht mit Anhängen</numerusform>
            <numerusform>%n Nachrichten mit Anhängen</numerusform>
        </translation>
    </message>
    <message>
        <source>Something went wrong: %1</source>
        <translation>Etwas ist schiefgegangen: %1</translation>
    </message>
    <message>
        <source>Downloading %1…</source>
        <translation>%1 wird heruntergeladen …</translation>
    </message>
</context>
<context>
    <name>ListEditor</name>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>This file was encrypted for another device.</source>
        <translation>Diese Datei wurde für ein anderes Gerät verschlüsselt.</translation>
    </message>
    <message>
        <source>This file has been altered or is incomplete.</source>
        <translation>Diese Datei wurde verändert oder ist unvollständig.</translation>
    </message>
    <message>
        <source>This is not a secure attachment (.tef) file.</source>
        <translation>Dies ist kein geschützter Anhang (.tef-Datei).</translation>
    </message>
    <message>
        <source>This file needs a newer version of the Traveler Companion.</source>
        <translation>Für diese Datei wird eine neuere Version des Traveler Companion benötigt.</translation>
    </message>
    <message>
        <source>This device has no key to open secure attachments. Sign in to your server again.</source>
        <translation>Dieses Gerät hat keinen Schlüssel für geschützte Anhänge. Melden Sie sich erneut bei Ihrem Server an.</translation>
    </message>
    <message>
        <source>The file cannot be read.</source>
        <translation>Die Datei kann nicht gelesen werden.</translation>
    </message>
    <message>
        <source>Your administrator does not allow opening this file in other applications.</source>
        <translation>Ihr Administrator erlaubt nicht, diese Datei in anderen Anwendungen zu öffnen.</translation>
    </message>
    <message>
        <source>No approved application for this file type is installed.</source>
        <translation>Für diesen Dateityp ist keine freigegebene Anwendung installiert.</translation>
    </message>
</context>
<context>
    <name>OutOfOffice</name>
    <message>
        <source>Out of office settings were updated for user %1 on server %2.</source>
        <translation>Abwesenheitseinstellungen wurden für Benutzer %1 auf Server %2 aktualisiert.</translation>
    </message>
    <message>
        <source>The change made offline was not accepted and is dropped: %1</source>
        <translation>Die offline gemachte Änderung wurde nicht angenommen und verworfen: %1</translation>
    </message>
    <message>
        <source>Something went wrong: %1</source>
        <translation>Etwas ist schiefgegangen: %1</translation>
    </message>
</context>
<context>
    <name>OutOfOfficeDialog</name>
    <message>
        <source>Out of office — Traveler Companion</source>
        <translation>Abwesend — Traveler Companion</translation>
    </message>
    <message>
        <source>For %1 on %2</source>
        <translation>Für %1 auf %2</translation>
    </message>
    <message>
        <source>Send automatic replies while I am away</source>
        <translation>Während meiner Abwesenheit automatisch antworten</translation>
    </message>
    <message>
        <source>Unlimited (until I switch it off)</source>
        <translation>Unendlich (bis ich es ausschalte)</translation>
    </message>
    <message>
        <source>Only during this time:</source>
        <translation>Nur in diesem Zeitraum:</translation>
    </message>
    <message>
        <source>e.g. Out of office until Monday</source>
        <translation>z. B. Abwesend bis Montag</translation>
    </message>
    <message>
        <source>A different reply for people in my organisation</source>
        <translation>Eine andere Antwort für Personen in meiner Organisation</translation>
    </message>
    <message>
        <source>Nobody outside</source>
        <translation>Niemand außerhalb</translation>
    </message>
    <message>
        <source>People I have mailed or who are in my contacts</source>
        <translation>Personen, denen ich geschrieben habe oder die in meinen Kontakten sind</translation>
    </message>
    <message>
        <source>Everyone outside</source>
        <translation>Alle außerhalb</translation>
    </message>
    <message>
        <source>example.net</source>
        <translation>example.net</translation>
    </message>
    <message>
        <source>someone outside</source>
        <translation>jemanden außerhalb</translation>
    </message>
    <message>
        <source>a colleague</source>
        <translation>eine Kollegin oder einen Kollegen</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>to</source>
        <translation>bis</translation>
    </message>
    <message>
        <source>Duration:</source>
        <translation>Dauer:</translation>
    </message>
    <message>
        <source>Leave / return:</source>
        <translation>Beurlaubung / Rückkehr:</translation>
    </message>
    <message>
        <source>Subject:</source>
        <translation>Betreff:</translation>
    </message>
    <message>
        <source>Reply:</source>
        <translation>Hauptteil:</translation>
    </message>
    <message>
        <source>Reply inside:</source>
        <translation>Hauptteil intern:</translation>
    </message>
    <message>
        <source>Outside, reply to:</source>
        <translation>Außerhalb antworten an:</translation>
    </message>
    <message>
        <source>anna@partner.example</source>
        <translation>anna@partner.example</translation>
    </message>
    <message>
        <source>boss@example.org</source>
        <translation>chef@example.org</translation>
    </message>
    <message>
        <source>newsletter</source>
        <translation>Newsletter</translation>
    </message>
    <message>
        <source>Addresses</source>
        <translation>Adressen</translation>
    </message>
    <message>
        <source>Domains</source>
        <translation>Domänen</translation>
    </message>
    <message>
        <source>Words in the subject</source>
        <translation>Wörter im Betreff</translation>
    </message>
    <message>
        <source>People I know:</source>
        <translation>Bekannte Personen:</translation>
    </message>
    <message>
        <source>Never reply to:</source>
        <translation>Nie antworten an:</translation>
    </message>
    <message>
        <source>Preview for:</source>
        <translation>Vorschau für:</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen …</translation>
    </message>
    <message>
        <source>“%1” is not a mail address; write it like anna@example.org.</source>
        <translation>„%1“ ist keine E-Mail-Adresse; schreiben Sie sie wie anna@example.org.</translation>
    </message>
    <message>
        <source>“%1” is not a domain; write it like example.org.</source>
        <translation>„%1“ ist keine Domäne; schreiben Sie sie wie example.org.</translation>
    </message>
    <message>
        <source>The server cannot be reached: your change is pending and will be sent at the next contact.</source>
        <translation>Der Server ist nicht erreichbar: Ihre Änderung ist ausstehend und wird beim nächsten Kontakt gesendet.</translation>
    </message>
    <message>
        <source>The server cannot be reached: these are the last known settings.</source>
        <translation>Der Server ist nicht erreichbar: Dies sind die zuletzt bekannten Einstellungen.</translation>
    </message>
    <message>
        <source>The return must be after the leave.</source>
        <translation>Die Rückkehr muss nach der Beurlaubung liegen.</translation>
    </message>
    <message>
        <source>Write a subject for the reply.</source>
        <translation>Geben Sie einen Betreff für die Antwort ein.</translation>
    </message>
    <message>
        <source>Write the text of the reply.</source>
        <translation>Geben Sie den Text der Antwort ein.</translation>
    </message>
    <message>
        <source>Write the reply for people in your organisation, or untick it.</source>
        <translation>Geben Sie die Antwort für Personen in Ihrer Organisation ein oder entfernen Sie das Häkchen.</translation>
    </message>
    <message>
        <source>The return is in the past.</source>
        <translation>Die Rückkehr liegt in der Vergangenheit.</translation>
    </message>
    <message>
        <source>The leave is in the past; choose a later time or Unlimited.</source>
        <translation>Die Beurlaubung liegt in der Vergangenheit; wählen Sie eine spätere Zeit oder Unendlich.</translation>
    </message>
    <message>
        <source>No automatic reply is sent.</source>
        <translation>Es wird keine automatische Antwort gesendet.</translation>
    </message>
    <message>
        <source>People outside your organisation get no reply.</source>
        <translation>Personen außerhalb Ihrer Organisation erhalten keine Antwort.</translation>
    </message>
    <message>
        <source>From: %1</source>
        <translation>Von: %1</translation>
    </message>
    <message>
        <source>Subject: %1</source>
        <translation>Betreff: %1</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Wird gespeichert …</translation>
    </message>
</context>
<context>
    <name>PdfViewer</name>
    <message>
        <source>Previous page</source>
        <translation>Vorherige Seite</translation>
    </message>
    <message>
        <source>Next page</source>
        <translation>Nächste Seite</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>Verkleinern</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>Vergrößern</translation>
    </message>
    <message>
        <source>Fit to width</source>
        <translation>An Breite anpassen</translation>
    </message>
    <message numerus="yes">
        <source>of %n</source>
        <translation>
            <numerusform>von %n</numerusform>
            <numerusform>von %n</numerusform>
        </translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>Nicht gefunden</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Sign in to Traveler</source>
        <translation>Bei Traveler anmelden</translation>
    </message>
    <message>
        <source>Sign in to your Traveler server</source>
        <translation>Bei Ihrem Traveler-Server anmelden</translation>
    </message>
    <message>
        <source>Both the ToDo app and the Companion use this account. The password is kept in your system keyring.</source>
        <translation>Die ToDo-App und die Companion-App verwenden dieses Konto. Das Kennwort wird im Schlüsselbund Ihres Systems gespeichert.</translation>
    </message>
    <message>
        <source>e.g. alice</source>
        <translation>z. B. alice</translation>
    </message>
    <message>
        <source>Server URL</source>
        <translation>Server-URL</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Kennwort</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <source>Testing the connection…</source>
        <translation>Verbindung wird geprüft…</translation>
    </message>
</context>
<context>
    <name>TextViewer</name>
    <message>
        <source>Not found</source>
        <translation>Nicht gefunden</translation>
    </message>
</context>
<context>
    <name>ViewerWindow</name>
    <message>
        <source>Secure attachment — Traveler Companion</source>
        <translation>Geschützter Anhang — Traveler Companion</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>Öffnen …</translation>
    </message>
    <message>
        <source>Open in…</source>
        <translation>Öffnen in …</translation>
    </message>
    <message>
        <source>View only</source>
        <translation>Nur anzeigen</translation>
    </message>
    <message>
        <source>Open a secure attachment</source>
        <translation>Geschützten Anhang öffnen</translation>
    </message>
    <message>
        <source>Drop a .tef file here, or choose Open…</source>
        <translation>Ziehen Sie eine .tef-Datei hierher oder wählen Sie „Öffnen …“</translation>
    </message>
    <message>
        <source>Secure attachments (*.tef);;All files (*)</source>
        <translation>Geschützte Anhänge (*.tef);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>%1 — Traveler Companion</source>
        <translation>%1 — Traveler Companion</translation>
    </message>
    <message>
        <source>Encrypted by %1 on %2</source>
        <translation>Verschlüsselt von %1 am %2</translation>
    </message>
    <message>
        <source>Encrypted on %1</source>
        <translation>Verschlüsselt am %1</translation>
    </message>
    <message>
        <source>This file type cannot be shown here.</source>
        <translation>Dieser Dateityp kann hier nicht angezeigt werden.</translation>
    </message>
    <message>
        <source>Use “Open in…” to open it in another application, if your administrator allows it.</source>
        <translation>Mit „Öffnen in …“ öffnen Sie die Datei in einer anderen Anwendung, sofern Ihr Administrator das erlaubt.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <source>Open a decrypted copy in</source>
        <translation>Entschlüsselte Kopie öffnen in</translation>
    </message>
    <message>
        <source>Opened in %1</source>
        <translation>In %1 geöffnet</translation>
    </message>
    <message>
        <source>The application could not be started: %1</source>
        <translation>Die Anwendung konnte nicht gestartet werden: %1</translation>
    </message>
</context>
</TS>
