// SPDX-License-Identifier: Apache-2.0
#include "mainwindow.h"

#include "audit/auditlog.h"
#include "dialogs/esignaturedialog.h"
#include "dialogs/logindialog.h"
#include "dialogs/usersdialog.h"
#include "docks/auditpanel.h"
#include "identity/session.h"
#include "docks/problemspanel.h"
#include "docks/propertiespanel.h"
#include "models/planttreemodel.h"
#include "plant/plantloader.h"
#include "twinview.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QProgressBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QThreadPool>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>
#include <QWindow>

namespace twinspect::ui {

MainWindow::MainWindow(QSettings* settings, QWidget* parent)
    : QMainWindow(parent)
    , m_settings(settings)
    , m_view(new scenes::TwinView(this))
    , m_model(new PlantTreeModel(this))
    , m_filter(new QSortFilterProxyModel(this))
    , m_tree(new QTreeView)
    , m_search(new QLineEdit)
    , m_properties(new PropertiesPanel)
    , m_problems(new ProblemsPanel)
    , m_plantLabel(new QLabel)
    , m_selectionLabel(new QLabel)
    , m_problemsLabel(new QLabel)
    , m_auditLabel(new QLabel)
    , m_busy(new QProgressBar)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Twinspect"));
    m_viewContainer = QWidget::createWindowContainer(m_view->window(), this);
    m_viewContainer->setObjectName(QStringLiteral("twinView"));
    m_viewContainer->setFocusPolicy(Qt::StrongFocus);
    m_viewContainer->setMinimumSize(320, 240);
    setCentralWidget(m_viewContainer);

    m_filter->setSourceModel(m_model);
    m_filter->setFilterRole(PlantTreeModel::SearchTextRole);
    m_filter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filter->setRecursiveFilteringEnabled(true);
    m_filter->setFilterKeyColumn(PlantTreeModel::NameColumn);

    createDocks();
    createActions();

    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(120);
    m_busy->setVisible(false);
    statusBar()->addWidget(m_plantLabel, 1);
    statusBar()->addPermanentWidget(m_problemsLabel);
    statusBar()->addPermanentWidget(m_auditLabel);
    m_auditLabel->setObjectName(QStringLiteral("auditStatus"));
    statusBar()->addPermanentWidget(m_selectionLabel);
    statusBar()->addPermanentWidget(m_busy);

    connect(m_view, &scenes::TwinView::itemClicked, this, &MainWindow::onViewClicked);
    connect(m_view, &scenes::TwinView::itemActivated, this, [this](const QString& id) {
        selectItem(id);
        m_view->flyTo(id);
    });
    connect(m_view, &scenes::TwinView::contextMenuRequested, this, &MainWindow::showAssetContextMenu);
    connect(m_view, &scenes::TwinView::meshFailed, this, [this](const QString& id, const QString& message) {
        m_renderProblems.insert(id, message);
        m_problems->addRenderProblem(id, message);
        if (auto* dock = findChild<QDockWidget*>(QStringLiteral("problemsDock")))
            dock->show();
        if (id == selectedItem())
            m_properties->showItem(m_plant.get(), id, message);
    });
    connect(m_problems, &ProblemsPanel::countChanged, this, &MainWindow::updateStatus);
    connect(m_problems, &ProblemsPanel::assetActivated, this, [this](const QString& id) {
        selectItem(id);
        m_view->flyTo(id);
    });
    restoreLayout();
    updateStatus();
}

MainWindow::~MainWindow() = default;

void MainWindow::createDocks()
{
    m_tree->setObjectName(QStringLiteral("assetTree"));
    m_tree->setModel(m_filter);
    m_tree->setUniformRowHeights(true); // keeps 100,000 rows fast
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->header()->setSectionResizeMode(PlantTreeModel::NameColumn, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(PlantTreeModel::TypeColumn, QHeaderView::ResizeToContents);
    m_tree->header()->setStretchLastSection(false);
    m_search->setObjectName(QStringLiteral("assetSearch"));
    m_search->setPlaceholderText(tr("Search name, id, type or tag (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, this, &MainWindow::setSearchText);
    connect(m_search, &QLineEdit::returnPressed, this, &MainWindow::activateFirstMatch);
    connect(m_tree->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::onTreeSelectionChanged);
    connect(m_tree, &QTreeView::doubleClicked, this, [this](const QModelIndex& index) {
        const QString id = index.data(PlantTreeModel::ItemIdRole).toString();
        if (!id.isEmpty())
            m_view->flyTo(id);
    });

    auto* treePanel = new QWidget;
    auto* treeLayout = new QVBoxLayout(treePanel);
    treeLayout->setContentsMargins(2, 2, 2, 2);
    treeLayout->addWidget(m_search);
    treeLayout->addWidget(m_tree);

    const auto addDock = [this](QWidget* content, const QString& title, const QString& name, Qt::DockWidgetArea area) {
        auto* dock = new QDockWidget(title, this);
        dock->setObjectName(name); // saveState() needs stable names
        dock->setWidget(content);
        addDockWidget(area, dock);
        return dock;
    };
    addDock(treePanel, tr("Assets"), QStringLiteral("assetsDock"), Qt::LeftDockWidgetArea);
    addDock(m_properties, tr("Properties"), QStringLiteral("propertiesDock"), Qt::RightDockWidgetArea);
    QDockWidget* problems = addDock(m_problems, tr("Problems"), QStringLiteral("problemsDock"), Qt::BottomDockWidgetArea);
    problems->hide(); // shown when there is something to see
}

void MainWindow::createActions()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->setObjectName(QStringLiteral("fileMenu"));
    QAction* open = file->addAction(tr("&Open plant…"), this, &MainWindow::chooseAndOpenPlant);
    open->setShortcut(QKeySequence::Open);
    QAction* reload = file->addAction(tr("&Reload plant"), this, [this] {
        if (!m_plantPath.isEmpty())
            openPlant(m_plantPath);
    });
    reload->setShortcut(QKeySequence::Refresh);
    QAction* shot = file->addAction(tr("Save &screenshot…"), this, &MainWindow::saveScreenshot);
    shot->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->setObjectName(QStringLiteral("viewMenu"));
    QAction* fit = view->addAction(tr("&Fit all"), this, [this] { m_view->fitAll(); });
    fit->setShortcut(QKeySequence(Qt::Key_Home));
    QAction* fly = view->addAction(tr("Fly to &selection"), this, [this] { m_view->flyTo(selectedItem()); });
    fly->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    QAction* find = view->addAction(tr("F&ind asset"), this, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });
    find->setShortcut(QKeySequence::Find);
    QAction* focusView = view->addAction(tr("Focus &3D view"), this, [this] { m_viewContainer->setFocus(); });
    focusView->setShortcut(QKeySequence(Qt::Key_F6));
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* keys = help->addAction(tr("&Keyboard and mouse"), this, &MainWindow::showShortcuts);
    keys->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&About Twinspect"), this, [this] {
        auto* box = new QMessageBox(QMessageBox::Information, tr("About Twinspect"),
                                    tr("Twinspect %1\nA plant twin you can trust.").arg(QApplication::applicationVersion()),
                                    QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });
}

void MainWindow::restoreLayout()
{
    const bool restored = m_settings && restoreGeometry(m_settings->value(QStringLiteral("window/geometry")).toByteArray()) &&
                          restoreState(m_settings->value(QStringLiteral("window/state")).toByteArray());
    if (restored)
        return;
    // First start: room for the tree and the properties beside a generous 3D view.
    resize(1600, 900);
    const QList<QDockWidget*> sideDocks{findChild<QDockWidget*>(QStringLiteral("assetsDock")),
                                        findChild<QDockWidget*>(QStringLiteral("propertiesDock"))};
    resizeDocks(sideDocks, {300, 340}, Qt::Horizontal);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_settings) {
        m_settings->setValue(QStringLiteral("window/geometry"), saveGeometry());
        m_settings->setValue(QStringLiteral("window/state"), saveState());
        if (!m_plantPath.isEmpty())
            m_settings->setValue(QStringLiteral("plant/last"), m_plantPath);
        m_settings->sync();
    }
    QMainWindow::closeEvent(event);
}

void MainWindow::openStartupPlant(const QString& path)
{
    identity::SessionManager* session = std::exchange(m_session, nullptr);
    openPlant(path);
    m_session = session;
}

void MainWindow::openPlant(const QString& path)
{
    if (m_session && !m_session->can(identity::Permission::OpenPlant)) {
        statusBar()->showMessage(tr("Opening a plant needs a logged-in engineer, trainer or admin."), 6000);
        Q_EMIT plantLoadFailed(path, tr("refused: not allowed for the current operator"));
        return;
    }
    if (m_auditLog && !m_auditLog->isWritable() && m_auditLog->state() != audit::AuditLog::State::Opening) {
        // Fail closed: an action that cannot be recorded does not happen.
        recordAction(QStringLiteral("plant.open"), path, QStringLiteral("refused"));
        auto* box = new QMessageBox(QMessageBox::Warning, tr("Plant not opened"),
                                    tr("The audit log cannot be written (%1), so opening a plant is refused. "
                                       "The plant on screen stays.").arg(m_auditLog->problem()),
                                    QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
        Q_EMIT plantLoadFailed(path, tr("refused: the audit log cannot be written"));
        return;
    }
    m_busy->setVisible(true);
    statusBar()->showMessage(tr("Loading %1…").arg(QFileInfo(path).fileName()));
    QPointer<MainWindow> self(this);
    QThreadPool::globalInstance()->start([self, path] {
        auto result = std::make_shared<PlantLoadResult>(PlantLoader::loadFile(path));
        QMetaObject::invokeMethod(
            qApp,
            [self, path, result] {
                MainWindow* window = self.data();
                if (!window)
                    return; // closed while the file was loading
                window->m_busy->setVisible(false);
                window->statusBar()->clearMessage();
                if (!result->ok()) {
                    const QString report = result->report();
                    auto* box = new QMessageBox(QMessageBox::Warning, tr("Plant not loaded"),
                                                tr("%1 could not be loaded. The plant on screen is unchanged.")
                                                    .arg(QFileInfo(path).fileName()),
                                                QMessageBox::Ok, window);
                    box->setDetailedText(report);
                    box->setAttribute(Qt::WA_DeleteOnClose);
                    box->open();
                    window->recordAction(QStringLiteral("plant.open"), path, QStringLiteral("failure"),
                                         report.section(QLatin1Char('\n'), 0, 0));
                    Q_EMIT window->plantLoadFailed(path, report);
                    return;
                }
                window->m_plantPath = QFileInfo(path).absoluteFilePath();
                window->recordAction(QStringLiteral("plant.open"), window->m_plantPath);
                if (window->m_settings)
                    window->m_settings->setValue(QStringLiteral("plant/last"), window->m_plantPath);
                window->setPlant(std::make_shared<const Plant>(std::move(*result->plant)), result->diagnostics);
                Q_EMIT window->plantLoaded(path);
            },
            Qt::QueuedConnection);
    });
}

void MainWindow::setPlant(std::shared_ptr<const Plant> plant, const QList<PlantDiagnostic>& diagnostics)
{
    m_plant = std::move(plant);
    m_renderProblems.clear();
    m_syncing = true;
    m_model->setPlant(m_plant);
    m_view->setPlant(m_plant);
    m_syncing = false;
    m_tree->expandToDepth(1);
    m_properties->showItem(nullptr, {});
    configureAlarms();
    refreshOverlayPlant();
    m_problems->setDiagnostics(diagnostics);
    if (!diagnostics.isEmpty()) {
        if (auto* dock = findChild<QDockWidget*>(QStringLiteral("problemsDock")))
            dock->show();
    }
    setWindowTitle(m_plant ? tr("%1 — Twinspect").arg(m_plant->siteName) : tr("Twinspect"));
    updateStatus();
}

std::shared_ptr<const Plant> MainWindow::plant() const
{
    return m_plant;
}

void MainWindow::selectItem(const QString& id)
{
    if (m_syncing)
        return;
    m_syncing = true;
    QModelIndex source = m_model->indexForItem(id);
    QModelIndex proxy = m_filter->mapFromSource(source);
    if (source.isValid() && !proxy.isValid()) {
        // Selected in 3D but hidden by the search: clear the filter rather than lose the selection.
        m_search->clear();
        proxy = m_filter->mapFromSource(source);
    }
    if (proxy.isValid()) {
        m_tree->selectionModel()->select(proxy, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_tree->setCurrentIndex(proxy);
        m_tree->scrollTo(proxy);
    } else {
        m_tree->selectionModel()->clearSelection();
    }
    m_view->setSelectedItem(source.isValid() ? id : QString());
    m_properties->showItem(m_plant.get(), source.isValid() ? id : QString(), m_renderProblems.value(id));
    followSelection(source.isValid() ? id : QString());
    m_syncing = false;
    updateStatus();
}

QString MainWindow::selectedItem() const
{
    return m_view->selectedItem();
}

void MainWindow::setSearchText(const QString& text)
{
    if (m_search->text() != text) {
        m_search->setText(text); // re-enters through textChanged
        return;
    }
    m_filter->setFilterFixedString(text.trimmed().toLower());
    if (!text.trimmed().isEmpty())
        m_tree->expandAll();
}

QString MainWindow::activateFirstMatch()
{
    // Depth-first over the filtered tree: the first asset or pipe row.
    QList<QModelIndex> stack{QModelIndex()};
    while (!stack.isEmpty()) {
        const QModelIndex parent = stack.takeFirst();
        QList<QModelIndex> children;
        for (int row = 0; row < m_filter->rowCount(parent); ++row) {
            const QModelIndex child = m_filter->index(row, 0, parent);
            const QString id = child.data(PlantTreeModel::ItemIdRole).toString();
            if (!id.isEmpty()) {
                selectItem(id);
                m_view->flyTo(id);
                return id;
            }
            children.append(child);
        }
        stack = children + stack;
    }
    statusBar()->showMessage(tr("No asset matches \"%1\"").arg(m_search->text()), 4000);
    return {};
}

int MainWindow::visibleAssetRows() const
{
    int count = 0;
    QList<QModelIndex> stack{QModelIndex()};
    while (!stack.isEmpty()) {
        const QModelIndex parent = stack.takeLast();
        for (int row = 0; row < m_filter->rowCount(parent); ++row) {
            const QModelIndex child = m_filter->index(row, 0, parent);
            if (!child.data(PlantTreeModel::ItemIdRole).toString().isEmpty())
                ++count;
            stack.append(child);
        }
    }
    return count;
}

void MainWindow::onTreeSelectionChanged()
{
    if (m_syncing)
        return;
    const QModelIndexList rows = m_tree->selectionModel()->selectedRows();
    const QString id = rows.isEmpty() ? QString() : rows.first().data(PlantTreeModel::ItemIdRole).toString();
    m_syncing = true;
    m_view->setSelectedItem(id);
    m_properties->showItem(m_plant.get(), id, m_renderProblems.value(id));
    followSelection(id);
    m_syncing = false;
    updateStatus();
}

void MainWindow::onViewClicked(const QString& id)
{
    selectItem(id);
}

void MainWindow::updateStatus()
{
    if (m_plant) {
        m_plantLabel->setText(tr("%1 — %n asset(s)", nullptr, static_cast<int>(m_plant->assets.size()))
                                  .arg(m_plant->siteName) +
                              tr(", %n pipe(s)", nullptr, static_cast<int>(m_plant->pipes.size())));
    } else {
        m_plantLabel->setText(tr("No plant loaded — File ▸ Open plant… (Ctrl+O)"));
    }
    const int problems = m_problems->problemCount();
    m_problemsLabel->setText(problems ? tr("%n problem(s)", nullptr, problems) : QString());
    const QString id = selectedItem();
    m_selectionLabel->setText(id.isEmpty() ? tr("Nothing selected") : tr("Selected: %1").arg(id));
}

QString MainWindow::statusText() const
{
    return m_plantLabel->text() + QStringLiteral(" | ") + m_selectionLabel->text();
}

void MainWindow::chooseAndOpenPlant()
{
    auto* dialog = new QFileDialog(this, tr("Open plant"), QFileInfo(m_plantPath).absolutePath(),
                                   tr("Twinspect plants (*.json);;All files (*)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, &MainWindow::openPlant);
    dialog->open();
}

void MainWindow::saveScreenshot()
{
    auto* dialog = new QFileDialog(this, tr("Save screenshot of the 3D view"), QString(), tr("PNG images (*.png)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QStringLiteral("png"));
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& path) {
        const QImage image = m_view->grabFrame();
        if (image.isNull() || !image.save(path))
            statusBar()->showMessage(tr("Could not save the screenshot to %1").arg(path), 6000);
        else
            statusBar()->showMessage(tr("Screenshot saved to %1").arg(path), 4000);
    });
    dialog->open();
}

void MainWindow::showShortcuts()
{
    auto* box = new QMessageBox(QMessageBox::Information, tr("Keyboard and mouse"),
                                tr("<table>"
                                   "<tr><td><b>Left drag</b></td><td>orbit</td></tr>"
                                   "<tr><td><b>Right/middle drag, Shift+drag</b></td><td>pan</td></tr>"
                                   "<tr><td><b>Wheel, +/−, PgUp/PgDn</b></td><td>zoom</td></tr>"
                                   "<tr><td><b>Arrows / Shift+arrows</b></td><td>orbit / pan (3D view focused)</td></tr>"
                                   "<tr><td><b>Click</b></td><td>select; <b>double-click</b> flies to it</td></tr>"
                                   "<tr><td><b>Home, F</b></td><td>fit all</td></tr>"
                                   "<tr><td><b>Ctrl+G, Space</b></td><td>fly to the selection</td></tr>"
                                   "<tr><td><b>Ctrl+F</b></td><td>search assets; Enter flies to the first match</td></tr>"
                                   "<tr><td><b>F6</b></td><td>focus the 3D view</td></tr>"
                                   "<tr><td><b>Right click, Menu key</b></td><td>the asset's menu: acknowledge "
                                   "its alarms, fly to it, properties, trend</td></tr>"
                                   "<tr><td><b>Ctrl+Shift+L</b></td><td>alarm list; <b>Ctrl+K</b> in it acknowledges "
                                   "the selected alarms</td></tr>"
                                   "<tr><td><b>Ctrl+Shift+T</b></td><td>trends of the selected asset: "
                                   "<b>Space</b> pauses, <b>+/-</b> zoom, <b>arrows</b> pan, <b>End</b> live</td></tr>"
                                   "<tr><td><b>Ctrl+Shift+B</b></td><td>labels for all assets in view</td></tr>"
                                   "<tr><td><b>Ctrl+Shift+G</b></td><td>legend of colours and patterns</td></tr>"
                                   "<tr><td><b>Ctrl+O, F5</b></td><td>open, reload plant</td></tr>"
                                   "</table>"),
                                QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace twinspect::ui
