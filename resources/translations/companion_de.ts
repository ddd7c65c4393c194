<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AwayBanner</name>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="374"/>
        <source>I&apos;m back</source>
        <translation>Ich bin zurück</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="400"/>
        <source>You are out of the office; automatic replies are on.</source>
        <translation>Sie sind abwesend; automatische Antworten sind eingeschaltet.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="403"/>
        <source>You are out of the office until %1; automatic replies are on.</source>
        <translation>Sie sind bis %1 abwesend; automatische Antworten sind eingeschaltet.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="407"/>
        <source>(Pending: not yet sent to the server.)</source>
        <translation>(Ausstehend: noch nicht an den Server gesendet.)</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="425"/>
        <source>Something went wrong: %1</source>
        <translation>Etwas ist schiefgegangen: %1</translation>
    </message>
</context>
<context>
    <name>CompanionWindow</name>
    <message>
        <location filename="../../companion/ui/main_window.py" line="40"/>
        <source>Traveler Companion</source>
        <translation>Traveler Companion</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="46"/>
        <source>Accounts</source>
        <translation>Konten</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="50"/>
        <source>The ToDo app signs in with the default account; the passwords are in your system keyring.</source>
        <translation>Die ToDo-App meldet sich mit dem Standardkonto an; die Kennwörter liegen im Schlüsselbund Ihres Systems.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="62"/>
        <source>No account yet. Add one to sign in to a Traveler server.</source>
        <translation>Noch kein Konto. Fügen Sie eines hinzu, um sich bei einem Traveler-Server anzumelden.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="67"/>
        <source>Add account…</source>
        <translation>Konto hinzufügen…</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="69"/>
        <source>Use for ToDo</source>
        <translation>Für ToDo verwenden</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="70"/>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="128"/>
        <source> — used by ToDo</source>
        <translation> — von ToDo verwendet</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="130"/>
        <source>Traveler server %1</source>
        <translation>Traveler-Server %1</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="132"/>
        <source>SyncML server (todos only)</source>
        <translation>SyncML-Server (nur Aufgaben)</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="169"/>
        <source>Signed in as %1 on %2.</source>
        <translation>Angemeldet als %1 bei %2.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="189"/>
        <source>Remove account</source>
        <translation>Konto entfernen</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="190"/>
        <source>Remove this account from both apps? Its todos stay on the server.</source>
        <translation>Dieses Konto aus beiden Apps entfernen? Seine Aufgaben bleiben auf dem Server.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="196"/>
        <source>Removed %1.</source>
        <translation>%1 entfernt.</translation>
    </message>
</context>
<context>
    <name>FindBar</name>
    <message>
        <location filename="../../companion/ui/content_views.py" line="148"/>
        <source>Search</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <location filename="../../companion/ui/content_views.py" line="155"/>
        <source>Previous match</source>
        <translation>Vorheriger Treffer</translation>
    </message>
    <message>
        <location filename="../../companion/ui/content_views.py" line="159"/>
        <source>Next match</source>
        <translation>Nächster Treffer</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <location filename="../../companion/ui/content_views.py" line="114"/>
        <source>This image cannot be shown.</source>
        <translation>Dieses Bild kann nicht angezeigt werden.</translation>
    </message>
</context>
<context>
    <name>InboxWindow</name>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="59"/>
        <source>Secure attachments — Traveler Companion</source>
        <translation>Geschützte Anhänge — Traveler Companion</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="70"/>
        <source>&amp;Account</source>
        <translation>&amp;Konto</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="71"/>
        <source>&amp;Out of office…</source>
        <translation>&amp;Abwesend…</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="82"/>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="84"/>
        <source>Open file…</source>
        <translation>Datei öffnen …</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="86"/>
        <source>Account:</source>
        <translation>Konto:</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="94"/>
        <source>Subject / attachment</source>
        <translation>Betreff / Anhang</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="94"/>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="94"/>
        <source>Received</source>
        <translation>Empfangen</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="94"/>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="117"/>
        <source>No account yet: add one with traveler-companion account add.</source>
        <translation>Noch kein Konto: Fügen Sie eines mit traveler-companion account add hinzu.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="161"/>
        <source>Loading…</source>
        <translation>Wird geladen …</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="175"/>
        <source>(no subject)</source>
        <translation>(kein Betreff)</translation>
    </message>
    <message numerus="yes">
        <location filename="../../companion/ui/inbox_window.py" line="192"/>
        <source>%n message(s) with attachments</source>
        <translation>
            <numerusform>%n Nachricht mit Anhängen</numerusform>
            <numerusform>%n Nachrichten mit Anhängen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="199"/>
        <source>Something went wrong: %1</source>
        <translation>Etwas ist schiefgegangen: %1</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="212"/>
        <source>Downloading %1…</source>
        <translation>%1 wird heruntergeladen …</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <location filename="../../companion/ui/messages.py" line="22"/>
        <source>This file was encrypted for another device.</source>
        <translation>Diese Datei wurde für ein anderes Gerät verschlüsselt.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/messages.py" line="25"/>
        <source>This file has been altered or is incomplete.</source>
        <translation>Diese Datei wurde verändert oder ist unvollständig.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/messages.py" line="28"/>
        <source>This is not a secure attachment (.tef) file.</source>
        <translation>Dies ist kein geschützter Anhang (.tef-Datei).</translation>
    </message>
    <message>
        <location filename="../../companion/ui/messages.py" line="31"/>
        <source>This file needs a newer version of the Traveler Companion.</source>
        <translation>Für diese Datei wird eine neuere Version des Traveler Companion benötigt.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/messages.py" line="34"/>
        <source>This device has no key to open secure attachments. Sign in to your server again.</source>
        <translation>Dieses Gerät hat keinen Schlüssel für geschützte Anhänge. Melden Sie sich erneut bei Ihrem Server an.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/messages.py" line="38"/>
        <source>The file cannot be read.</source>
        <translation>Die Datei kann nicht gelesen werden.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/messages.py" line="44"/>
        <source>Your administrator does not allow opening this file in other applications.</source>
        <translation>Ihr Administrator erlaubt nicht, diese Datei in anderen Anwendungen zu öffnen.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/messages.py" line="50"/>
        <source>No approved application for this file type is installed.</source>
        <translation>Für diesen Dateityp ist keine freigegebene Anwendung installiert.</translation>
    </message>
</context>
<context>
    <name>OutOfOffice</name>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="42"/>
        <source>Out of office settings were updated for user %1 on server %2.</source>
        <translation>Abwesenheitseinstellungen wurden für Benutzer %1 auf Server %2 aktualisiert.</translation>
    </message>
</context>
<context>
    <name>OutOfOfficeDialog</name>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="80"/>
        <source>Out of office — Traveler Companion</source>
        <translation>Abwesend — Traveler Companion</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="90"/>
        <source>For %1 on %2</source>
        <translation>Für %1 auf %2</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="96"/>
        <source>Send automatic replies while I am away</source>
        <translation>Während meiner Abwesenheit automatisch antworten</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="97"/>
        <source>Unlimited (until I switch it off)</source>
        <translation>Unendlich (bis ich es ausschalte)</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="98"/>
        <source>Only during this time:</source>
        <translation>Nur in diesem Zeitraum:</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="107"/>
        <source>e.g. Out of office until Monday</source>
        <translation>z. B. Abwesend bis Montag</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="110"/>
        <source>A different reply for people in my organisation</source>
        <translation>Eine andere Antwort für Personen in meiner Organisation</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="114"/>
        <source>Nobody outside</source>
        <translation>Niemand außerhalb</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="115"/>
        <source>People I have mailed or who are in my contacts</source>
        <translation>Personen, denen ich geschrieben habe oder die in meinen Kontakten sind</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="116"/>
        <source>Everyone outside</source>
        <translation>Alle außerhalb</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="119"/>
        <source>boss@example.org, hr@example.org</source>
        <translation>chefin@example.org, personal@example.org</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="121"/>
        <source>example.net</source>
        <translation>example.net</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="123"/>
        <source>newsletter, invoice</source>
        <translation>Newsletter, Rechnung</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="125"/>
        <source>someone outside</source>
        <translation>jemanden außerhalb</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="126"/>
        <source>a colleague</source>
        <translation>eine Kollegin oder einen Kollegen</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="138"/>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="140"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="144"/>
        <source>to</source>
        <translation>bis</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="151"/>
        <source>Duration:</source>
        <translation>Dauer:</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="153"/>
        <source>Leave / return:</source>
        <translation>Beurlaubung / Rückkehr:</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="154"/>
        <source>Subject:</source>
        <translation>Betreff:</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="155"/>
        <source>Reply:</source>
        <translation>Hauptteil:</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="157"/>
        <source>Reply inside:</source>
        <translation>Hauptteil intern:</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="158"/>
        <source>Outside, reply to:</source>
        <translation>Außerhalb antworten an:</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="159"/>
        <source>No reply to addresses:</source>
        <translation>Keine Antwort an Adressen:</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="160"/>
        <source>… or domains:</source>
        <translation>… oder Domänen:</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="161"/>
        <source>… or subjects with:</source>
        <translation>… oder Betreffe mit:</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="162"/>
        <source>Preview for:</source>
        <translation>Vorschau für:</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="193"/>
        <source>Loading…</source>
        <translation>Wird geladen …</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="231"/>
        <source>The server cannot be reached: your change is pending and will be sent at the next contact.</source>
        <translation>Der Server ist nicht erreichbar: Ihre Änderung ist ausstehend und wird beim nächsten Kontakt gesendet.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="237"/>
        <source>The server cannot be reached: these are the last known settings.</source>
        <translation>Der Server ist nicht erreichbar: Dies sind die zuletzt bekannten Einstellungen.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="280"/>
        <source>The return must be after the leave.</source>
        <translation>Die Rückkehr muss nach der Beurlaubung liegen.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="284"/>
        <source>Write a subject for the reply.</source>
        <translation>Geben Sie einen Betreff für die Antwort ein.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="286"/>
        <source>Write the text of the reply.</source>
        <translation>Geben Sie den Text der Antwort ein.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="288"/>
        <source>Write the reply for people in your organisation, or untick it.</source>
        <translation>Geben Sie die Antwort für Personen in Ihrer Organisation ein oder entfernen Sie das Häkchen.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="290"/>
        <source>The return is in the past.</source>
        <translation>Die Rückkehr liegt in der Vergangenheit.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="294"/>
        <source>The leave is in the past; choose a later time or Unlimited.</source>
        <translation>Die Beurlaubung liegt in der Vergangenheit; wählen Sie eine spätere Zeit oder Unendlich.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="300"/>
        <source>No automatic reply is sent.</source>
        <translation>Es wird keine automatische Antwort gesendet.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="303"/>
        <source>People outside your organisation get no reply.</source>
        <translation>Personen außerhalb Ihrer Organisation erhalten keine Antwort.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="310"/>
        <source>From: %1</source>
        <translation>Von: %1</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="311"/>
        <source>Subject: %1</source>
        <translation>Betreff: %1</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="327"/>
        <source>Saving…</source>
        <translation>Wird gespeichert …</translation>
    </message>
    <message>
        <location filename="../../companion/ui/out_of_office.py" line="346"/>
        <source>Something went wrong: %1</source>
        <translation>Etwas ist schiefgegangen: %1</translation>
    </message>
</context>
<context>
    <name>PdfViewer</name>
    <message>
        <location filename="../../companion/ui/content_views.py" line="295"/>
        <source>Previous page</source>
        <translation>Vorherige Seite</translation>
    </message>
    <message>
        <location filename="../../companion/ui/content_views.py" line="302"/>
        <source>Next page</source>
        <translation>Nächste Seite</translation>
    </message>
    <message>
        <location filename="../../companion/ui/content_views.py" line="303"/>
        <source>Zoom out</source>
        <translation>Verkleinern</translation>
    </message>
    <message>
        <location filename="../../companion/ui/content_views.py" line="307"/>
        <source>Zoom in</source>
        <translation>Vergrößern</translation>
    </message>
    <message>
        <location filename="../../companion/ui/content_views.py" line="308"/>
        <source>Fit to width</source>
        <translation>An Breite anpassen</translation>
    </message>
    <message numerus="yes">
        <location filename="../../companion/ui/content_views.py" line="331"/>
        <source>of %n</source>
        <translation>
            <numerusform>von %n</numerusform>
            <numerusform>von %n</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../companion/ui/content_views.py" line="372"/>
        <source>Not found</source>
        <translation>Nicht gefunden</translation>
    </message>
    <message>
        <location filename="../../companion/ui/content_views.py" line="379"/>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="104"/>
        <source>Sign in to Traveler</source>
        <translation>Bei Traveler anmelden</translation>
    </message>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="112"/>
        <source>Sign in to your Traveler server</source>
        <translation>Bei Ihrem Traveler-Server anmelden</translation>
    </message>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="120"/>
        <source>Both the ToDo app and the Companion use this account. The password is kept in your system keyring.</source>
        <translation>Die ToDo-App und die Companion-App verwenden dieses Konto. Das Kennwort wird im Schlüsselbund Ihres Systems gespeichert.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="130"/>
        <source>e.g. alice</source>
        <translation>z. B. alice</translation>
    </message>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="135"/>
        <source>Server URL</source>
        <translation>Server-URL</translation>
    </message>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="136"/>
        <source>User name</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="137"/>
        <source>Password</source>
        <translation>Kennwort</translation>
    </message>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="146"/>
        <source>Sign in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="168"/>
        <source>Testing the connection…</source>
        <translation>Verbindung wird geprüft…</translation>
    </message>
</context>
<context>
    <name>TextViewer</name>
    <message>
        <location filename="../../companion/ui/content_views.py" line="215"/>
        <source>Not found</source>
        <translation>Nicht gefunden</translation>
    </message>
</context>
<context>
    <name>ViewerWindow</name>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="71"/>
        <source>Secure attachment — Traveler Companion</source>
        <translation>Geschützter Anhang — Traveler Companion</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="75"/>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="79"/>
        <source>Open…</source>
        <translation>Öffnen …</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="88"/>
        <source>Open in…</source>
        <translation>Öffnen in …</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="98"/>
        <source>View only</source>
        <translation>Nur anzeigen</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="115"/>
        <location filename="../../companion/ui/viewer_window.py" line="127"/>
        <source>Open a secure attachment</source>
        <translation>Geschützten Anhang öffnen</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="116"/>
        <source>Drop a .tef file here, or choose Open…</source>
        <translation>Ziehen Sie eine .tef-Datei hierher oder wählen Sie „Öffnen …“</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="129"/>
        <source>Secure attachments (*.tef);;All files (*)</source>
        <translation>Geschützte Anhänge (*.tef);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="160"/>
        <source>%1 — Traveler Companion</source>
        <translation>%1 — Traveler Companion</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="172"/>
        <source>Encrypted by %1 on %2</source>
        <translation>Verschlüsselt von %1 am %2</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="176"/>
        <source>Encrypted on %1</source>
        <translation>Verschlüsselt am %1</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="239"/>
        <source>This file type cannot be shown here.</source>
        <translation>Dieser Dateityp kann hier nicht angezeigt werden.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="244"/>
        <source>Use “Open in…” to open it in another application, if your administrator allows it.</source>
        <translation>Mit „Öffnen in …“ öffnen Sie die Datei in einer anderen Anwendung, sofern Ihr Administrator das erlaubt.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="253"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="254"/>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="255"/>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="257"/>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="260"/>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="261"/>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="288"/>
        <source>Open a decrypted copy in</source>
        <translation>Entschlüsselte Kopie öffnen in</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="314"/>
        <source>Opened in %1</source>
        <translation>In %1 geöffnet</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="319"/>
        <source>The application could not be started: %1</source>
        <translation>Die Anwendung konnte nicht gestartet werden: %1</translation>
    </message>
</context>
</TS>
